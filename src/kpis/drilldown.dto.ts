import { ApiProperty } from '@nestjs/swagger';
import { KPI_KEYS } from './domain/kpi-catalogue';
import { SubjectDto } from './kpi-response.dto';

const FIELDS_DOC = [
  'The fields the rule used, by key (dates are local dates YYYY-MM-DD in ORG_TIMEZONE, instants ISO 8601 UTC, money exact decimal strings):',
  '- customer_retention_rate, churn_rate (customers of S): owner_s0, owner_s0_team_id (the owner’s current team), owner_s1, acquired_on, churned_on, last_order_s0 / last_order_s1 (last completed order dated ≤ s0 / ≤ s1), active_s0, active_s1;',
  '- repeat_purchase_rate (customers of B): owner_s1, owner_s1_team_id, first_order_in_p, orders_in_p, last_order_before_p0, ordered_before_p0;',
  '- revenue, gross_margin (completed orders dated in P): customer_id, owner_s1, owner_s1_team_id, ordered_at, ordered_on, amount, gross_margin (as recorded), effective_gross_margin (recorded, else amount × DEFAULT_MARGIN_RATE);',
  '- active_customers, clv_historic_avg (customers active on s1): owner_s1, owner_s1_team_id, acquired_on, churned_on, last_order_s1, active_s1, and for clv_historic_avg gross_margin_before_p1;',
  '- churn_controllable_share (lost customers with a known reason): owner_s0, owner_s0_team_id, churned_on, last_order_s1, active_s0, active_s1, last_complaint_ticket_id, last_complaint_opened_at, complaint_controllable;',
  '- tickets_resolved, first_contact_resolution, avg_handle_seconds, resolution_sla_rate (tickets of Res): customer_id, agent_id, team_id (the team it counts for), opened_at, resolved_at, resolution_hours, contact_count, reopened, handle_seconds;',
  '- complaint_rate, first_response_sla_rate, first_response_minutes_p50/p90, complaints_by_category (tickets of Op): customer_id, agent_id, team_id, opened_at, first_response_at, first_response_minutes, is_complaint, complaint_category, complaint_controllable;',
  '- csat, nps, ces_avg, survey_responses (surveys): customer_id, agent_id, ticket_id, team_id (the team it counts for), responded_at, csat, nps, ces;',
  '- training_hours (training rows): agent_id, team_id (the agent’s current team), completed_on, hours, course.',
].join('\n');

export class DrilldownRecordDto {
  @ApiProperty({ description: 'the record’s own id: customer_id, order_id, ticket_id, survey_id or training_id; pages are ordered by it (collate "C")' })
  id!: string;

  @ApiProperty({
    nullable: true,
    type: Boolean,
    description:
      'whether the record counts in the numerator of a percentage (retention: kept; churn: lost; nps: true = promoter, ' +
      'false = detractor, null = passive, so numerator = count(true) − count(false)); null for KPIs without a numerator ' +
      '(sums, counts, means, percentiles, complaints_by_category)',
  })
  in_numerator!: boolean | null;

  @ApiProperty({ type: 'object', additionalProperties: true, description: FIELDS_DOC })
  fields!: Record<string, unknown>;
}

export class DrilldownWindowDto {
  @ApiProperty({ description: 'p0: local midnight of the period’s first day (ISO 8601 UTC)', example: '2026-10-01T00:00:00.000Z' }) p0!: string;
  @ApiProperty({ description: 'p1: local midnight of the next month’s first day (ISO 8601 UTC)', example: '2026-11-01T00:00:00.000Z' }) p1!: string;
  @ApiProperty({ description: 's0: the last local day before the period', example: '2026-09-30' }) s0!: string;
  @ApiProperty({ description: 's1: the last local day of the period', example: '2026-10-31' }) s1!: string;
}

export class DrilldownPageDto {
  @ApiProperty({ type: SubjectDto }) subject!: SubjectDto;
  @ApiProperty({ example: '2026-10' }) period!: string;
  @ApiProperty({ enum: KPI_KEYS }) key!: string;

  @ApiProperty({
    description:
      'the rule, in one line: which records, and which of them count in the numerator. Records are always read from the ' +
      'current data: for a published period the snapshot holds the numbers, the records are the live data behind them',
  })
  rule!: string;

  @ApiProperty({ type: DrilldownWindowDto }) window!: DrilldownWindowDto;

  @ApiProperty({
    description:
      'number of records across all pages: the denominator of a percentage or mean, the sample size of a sum, count, ' +
      'percentile or complaints_by_category',
  })
  total!: number;

  @ApiProperty({ type: [DrilldownRecordDto] }) records!: DrilldownRecordDto[];

  @ApiProperty({ nullable: true, type: String, description: 'pass as `cursor` for the next page; null on the last page' })
  next_cursor!: string | null;

  @ApiProperty({ nullable: true, type: Number, description: 'the latest published snapshot version of the period, null while live' })
  published_version!: number | null;

  @ApiProperty({
    nullable: true,
    type: String,
    description: 'anything to know when reading the records (a KPI whose data arrives with a later capability; a published period)',
  })
  note!: string | null;
}

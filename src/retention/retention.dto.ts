import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { RISK_LEVELS, SIGNAL_KEYS } from './domain/risk-signals';
import { TIERS } from './domain/value-tiers';

export const DATE_PATTERN = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

export class AtRiskQueryDto {
  @ApiPropertyOptional({ example: '2026-10-31', description: 'the day d (YYYY-MM-DD, ORG_TIMEZONE); default yesterday; not after today' })
  @IsOptional()
  @Matches(DATE_PATTERN, { message: 'as_of must be a date YYYY-MM-DD' })
  as_of?: string;

  @ApiPropertyOptional({ enum: RISK_LEVELS, description: 'default: high and medium (the early-warning list); low lists the customers without risk' })
  @IsOptional()
  @IsIn(RISK_LEVELS, { message: `level must be one of ${RISK_LEVELS.join(', ')}` })
  level?: (typeof RISK_LEVELS)[number];

  @ApiPropertyOptional({ enum: TIERS })
  @IsOptional()
  @IsIn(TIERS, { message: `tier must be one of ${TIERS.join(', ')}` })
  tier?: (typeof TIERS)[number];

  @ApiPropertyOptional({ default: 1, minimum: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'page must be a whole number ≥ 1' })
  @Min(1, { message: 'page must be a whole number ≥ 1' })
  page?: number;

  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'page_size must be a whole number from 1 to 500' })
  @Min(1, { message: 'page_size must be a whole number from 1 to 500' })
  @Max(500, { message: 'page_size must be a whole number from 1 to 500' })
  page_size?: number;
}

export class SignalsDto {
  @ApiPropertyOptional({ description: '{p_alive, threshold}: P(alive) < RISK_P_ALIVE', example: { p_alive: 0.31, threshold: 0.5 } })
  low_p_alive?: object;
  @ApiPropertyOptional({
    description: '{recent_days, earlier_days, expected}: purchase days in (d − 90, d] fewer than half of expected = earlier_days (in (d − 455, d − 90]) × 90 / 365',
    example: { recent_days: 1, earlier_days: 6, expected: 1.4794520547945205 },
  })
  frequency_drop?: object;
  @ApiPropertyOptional({ description: '{recent, earlier}: complaint tickets in (d − 90, d] ≥ 2 and more than in (d − 180, d − 90]' })
  rising_complaints?: object;
  @ApiPropertyOptional({ description: '{recent, earlier, recent_tickets, recent_surveys, earlier_tickets, earlier_surveys}: tickets + surveys at most half, earlier ≥ 4' })
  falling_contact?: object;
  @ApiPropertyOptional({ description: '{surveys, min_csat, min_nps}: surveys in (d − 90, d] with csat ≤ 2 or nps ≤ 6' })
  unhappy?: object;
}

export class AtRiskCustomerDto {
  @ApiProperty() customer_id!: string;
  @ApiProperty({ nullable: true, type: String }) name!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'owner on d (ownership history)' }) owner_agent_id!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'the owner’s current team' }) owner_team_id!: string | null;
  @ApiProperty({ enum: RISK_LEVELS }) level!: string;
  @ApiProperty({ enum: TIERS, nullable: true, description: 'null when the predictive models are not fitted as of d' }) tier!: string | null;
  @ApiProperty({ description: 'tier small and ≥ NOT_WORTH_COMPLAINTS complaint tickets in (d − 365, d]' }) not_worth_pursuing!: boolean;
  @ApiProperty({ nullable: true, type: Number }) p_alive!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'predictive CLV as of d' }) clv!: number | null;
  @ApiProperty({ nullable: true, type: String }) last_purchase_on!: string | null;
  @ApiProperty({ type: SignalsDto, description: `the signals that fired with their numbers (keys among ${SIGNAL_KEYS.join(', ')})` }) signals!: SignalsDto;
  @ApiProperty({ nullable: true, type: Number, description: 'the customer’s open win-back task' }) open_task_id!: number | null;
}

export class LevelCountsDto {
  @ApiProperty() high!: number;
  @ApiProperty() medium!: number;
  @ApiProperty() low!: number;
}

export class RiskCountsDto {
  @ApiProperty({ description: 'the subject’s customers active on d' }) customers!: number;
  @ApiProperty({ type: LevelCountsDto }) by_level!: LevelCountsDto;
  @ApiProperty({ description: 'tier → level → customers (empty without a fitted model)', example: { key: { high: 1, medium: 0, low: 3 } } })
  by_tier!: Record<string, LevelCountsDto>;
  @ApiProperty() not_worth_pursuing!: number;
}

export class RiskModelDto {
  @ApiProperty({ enum: ['fitted', 'insufficient_data'] }) status!: string;
  @ApiProperty({ nullable: true, type: String }) reason!: string | null;
}

export class TierCutoffsDto {
  @ApiProperty({ description: 'the organisation’s customers active on d (N)' }) active_customers!: number;
  @ApiProperty({ description: 'active customers with a predictive CLV' }) valued_customers!: number;
  @ApiProperty({ description: 'rank limits ⌊N × cumulative share⌋', example: { key: 50, major: 200, ordinary: 500 } }) rank_limits!: Record<string, number>;
  @ApiProperty({ nullable: true, type: Number, description: 'lowest CLV in the tier (ties at a boundary take the higher tier)' }) key_min_clv!: number | null;
  @ApiProperty({ nullable: true, type: Number }) major_min_clv!: number | null;
  @ApiProperty({ nullable: true, type: Number }) ordinary_min_clv!: number | null;
}

export class SubjectRefDto {
  @ApiProperty({ enum: ['agent', 'team'] }) type!: string;
  @ApiProperty() id!: string;
  @ApiProperty({ nullable: true, type: String }) name!: string | null;
}

export class AtRiskListDto {
  @ApiProperty() as_of!: string;
  @ApiProperty({ type: SubjectRefDto }) subject!: SubjectRefDto;
  @ApiProperty({ type: RiskModelDto }) model!: RiskModelDto;
  @ApiProperty({ type: TierCutoffsDto, nullable: true }) tiers!: TierCutoffsDto | null;
  @ApiProperty({ type: RiskCountsDto }) counts!: RiskCountsDto;
  @ApiProperty() page!: number;
  @ApiProperty() page_size!: number;
  @ApiProperty({ description: 'customers matching the filters' }) total!: number;
  @ApiProperty({ type: [AtRiskCustomerDto], description: 'ordered by level, tier, CLV (highest first), customer id' }) customers!: AtRiskCustomerDto[];
}

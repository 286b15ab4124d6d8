import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsArray, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { PERIOD_PATTERN } from '../kpis/kpi-response.dto';
import { AUDIT_CHANNELS, CRITERION_TYPES } from './domain/audit-form';

// Request bodies: the global validation pipe checks the top level; answers are checked by
// the pure scoring code (src/audits/domain/audit-scoring.ts), which names each problem as
// `answers[3].value` with the criterion, or `answers` for a criterion left unanswered.

export class AnswerDto {
  @ApiProperty({ example: 'greeting' }) criterion_id!: string;
  @ApiProperty({
    oneOf: [{ type: 'string', enum: ['yes', 'no', 'na'] }, { type: 'integer', minimum: 1, maximum: 5 }],
    description: 'yes_no: "yes" or "no"; scale: an integer 1–5; "na" where the criterion allows N/A',
    example: 'yes',
  })
  value!: string | number;
  @ApiPropertyOptional({ nullable: true, type: String, maxLength: 2000, description: 'the auditor’s note on this criterion' }) note?: string | null;
}

export class SaveAuditDto {
  @ApiProperty({ example: 'A-0042' })
  @IsString()
  @Length(1, 64)
  agent_id!: string;

  @ApiProperty({ example: 1 })
  @IsInt()
  @Min(1)
  form_id!: number;

  @ApiProperty({ example: 1, description: 'the form version scored with; retired versions are rejected for new audits' })
  @IsInt()
  @Min(1)
  form_version!: number;

  @ApiProperty({ enum: AUDIT_CHANNELS })
  @IsIn(AUDIT_CHANNELS)
  channel!: string;

  @ApiProperty({ example: '2026-10-14T10:30:00Z', description: 'ISO 8601 with a UTC offset; not in the future, not before the agent was hired, not after the agent left' })
  @IsString()
  @MaxLength(40)
  visited_at!: string;

  @ApiPropertyOptional({ nullable: true, type: String, description: 'the recording, transcript or visit (free text)' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  interaction_ref?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String, description: 'overall remarks' })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  summary?: string | null;

  @ApiProperty({ type: [AnswerDto], description: 'every criterion of the form exactly once' })
  @IsArray()
  answers!: unknown[];
}

export class ReasonDto {
  @ApiProperty({ example: 'entered for the wrong agent' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(4000)
  reason!: string;
}

export const AUDIT_VIEW_STATUSES = ['draft', 'final', 'disputed', 'voided'] as const;

export class AuditListQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 64) agent_id?: string;

  @ApiPropertyOptional({ enum: AUDIT_VIEW_STATUSES, description: 'final includes disputed ones' })
  @IsOptional()
  @IsIn(AUDIT_VIEW_STATUSES)
  status?: (typeof AUDIT_VIEW_STATUSES)[number];

  @ApiPropertyOptional({ example: '2026-10', description: 'visited_at in this month (ORG_TIMEZONE)' })
  @IsOptional()
  @Matches(PERIOD_PATTERN, { message: 'period must be YYYY-MM' })
  period?: string;

  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(1) form_id?: number;

  @ApiPropertyOptional({ default: 100, minimum: 1, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ description: 'next_cursor of the previous page' })
  @IsOptional()
  @Matches(/^\d{1,10}$/, { message: 'cursor must be a next_cursor returned by this endpoint' })
  cursor?: string;
}

export class AgentRefDto {
  @ApiProperty() agent_id!: string;
  @ApiProperty({ nullable: true, type: String }) name!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'the agent’s current team' }) team_id!: string | null;
}

export class AuditorRefDto {
  @ApiProperty() user_id!: number;
  @ApiProperty() email!: string;
}

export class AuditFormRefDto {
  @ApiProperty() form_id!: number;
  @ApiProperty() version!: number;
  @ApiProperty() form_version_id!: number;
  @ApiProperty() name!: string;
}

export class AnsweredCriterionDto {
  @ApiProperty() criterion_id!: string;
  @ApiProperty() section_id!: string;
  @ApiProperty() label!: string;
  @ApiProperty({ enum: CRITERION_TYPES }) type!: string;
  @ApiProperty() weight!: number;
  @ApiProperty() critical!: boolean;
  @ApiProperty({ oneOf: [{ type: 'string', enum: ['yes', 'no', 'na'] }, { type: 'integer' }] }) value!: string | number;
  @ApiProperty({ nullable: true, type: Number, description: 's: yes 1, no 0, scale (v − 1)/4; null for N/A' }) points!: number | null;
  @ApiProperty({ description: 'a critical criterion answered no (or 1)' }) failed_critical!: boolean;
  @ApiProperty({ nullable: true, type: String }) note!: string | null;
}

export class FailedCriterionDto {
  @ApiProperty() criterion_id!: string;
  @ApiProperty() section_id!: string;
  @ApiProperty() label!: string;
}

export class DisputeResolutionDto {
  @ApiProperty({ enum: ['upheld', 'rejected'] }) outcome!: string;
  @ApiProperty({ nullable: true, enum: ['void', 'rescore'], description: 'upheld only' }) action!: string | null;
  @ApiProperty() note!: string;
  @ApiProperty({ nullable: true, type: Number, description: 'the audit’s score before the resolution' }) score_before!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'after (null once voided)' }) score_after!: number | null;
  @ApiProperty({ format: 'date-time' }) resolved_at!: string;
  @ApiProperty({ nullable: true, type: String }) resolved_by!: string | null;
}

export class DisputeDto {
  @ApiProperty() dispute_id!: number;
  @ApiProperty() audit_id!: number;
  @ApiProperty() agent_id!: string;
  @ApiProperty({ enum: ['open', 'upheld', 'rejected'] }) status!: string;
  @ApiProperty() reason!: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ type: DisputeResolutionDto, nullable: true }) resolution!: DisputeResolutionDto | null;
}

export class AuditHistoryEntryDto {
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ example: 'finalize', description: 'create, edit, finalize, void, dispute, rescore, resolve' }) action!: string;
  @ApiProperty({ nullable: true, type: String, description: 'who (hidden from the audited agent)' }) by!: string | null;
  @ApiProperty({ enum: AUDIT_VIEW_STATUSES }) status!: string;
  @ApiProperty({ nullable: true, type: Number, description: 'the score after this change (old scores stay here)' }) score!: number | null;
}

export class AuditSummaryDto {
  @ApiProperty() audit_id!: number;
  @ApiProperty({ enum: AUDIT_VIEW_STATUSES, description: 'disputed = final with an open dispute (it still counts)' }) status!: string;
  @ApiProperty() disputed!: boolean;
  @ApiProperty({ type: AgentRefDto }) agent!: AgentRefDto;
  @ApiProperty({ type: AuditorRefDto, nullable: true, description: 'null for the audited agent (mystery shoppers stay anonymous)' }) auditor!: AuditorRefDto | null;
  @ApiProperty({ type: AuditFormRefDto }) form!: AuditFormRefDto;
  @ApiProperty({ enum: AUDIT_CHANNELS }) channel!: string;
  @ApiProperty({ format: 'date-time' }) visited_at!: string;
  @ApiProperty({ nullable: true, type: Number, description: '0–100; 0 on auto-fail; null only for a draft whose every criterion is N/A' }) score!: number | null;
  @ApiProperty() auto_failed!: boolean;
  @ApiProperty() revision!: number;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) finalized_at!: string | null;
}

export class AuditDto extends AuditSummaryDto {
  @ApiProperty({ nullable: true, type: String }) interaction_ref!: string | null;
  @ApiProperty({ nullable: true, type: String }) summary!: string | null;
  @ApiProperty({ type: [FailedCriterionDto], description: 'the critical criteria that failed (auto-fail)' }) failed_criteria!: FailedCriterionDto[];
  @ApiProperty({ description: 'Σ w over applicable (non-N/A) criteria' }) applicable_weight!: number;
  @ApiProperty({ description: 'Σ w·s over applicable criteria' }) earned_weight!: number;
  @ApiProperty({ nullable: true, type: Number, description: '100 × Σ w·s / Σ w before the auto-fail rule' }) score_before_auto_fail!: number | null;
  @ApiProperty({ type: [AnsweredCriterionDto] }) answers!: AnsweredCriterionDto[];
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) voided_at!: string | null;
  @ApiProperty({ nullable: true, type: String }) void_reason!: string | null;
  @ApiProperty({ type: DisputeDto, nullable: true }) dispute!: DisputeDto | null;
  @ApiProperty({ type: [AuditHistoryEntryDto], description: 'every change, oldest first, with the score after it' }) history!: AuditHistoryEntryDto[];
}

export class AuditListDto {
  @ApiProperty({ type: [AuditSummaryDto] }) audits!: AuditSummaryDto[];
  @ApiProperty({ nullable: true, type: String, description: 'pass as cursor for the next page' }) next_cursor!: string | null;
}

export class RepublishedDto {
  @ApiProperty({ example: '2026-10' }) period!: string;
  @ApiProperty({ description: 'the new snapshot version' }) version!: number;
  @ApiProperty() reason!: string;
}

export class AuditChangeDto {
  @ApiProperty({ type: AuditDto }) audit!: AuditDto;
  @ApiProperty({ type: RepublishedDto, nullable: true, description: 'the published period re-published because this change moved its numbers' })
  republished!: RepublishedDto | null;
}

// --- disputes ---

export class CreateDisputeDto {
  @ApiProperty({ example: 'The customer never asked about the refund policy; see recording at 03:10.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(4000)
  reason!: string;
}

export class ResolveDisputeDto {
  @ApiProperty({ enum: ['upheld', 'rejected'] })
  @IsIn(['upheld', 'rejected'])
  outcome!: 'upheld' | 'rejected';

  @ApiPropertyOptional({ enum: ['void', 'rescore'], description: 'required when upheld: void the audit, or re-score it with corrected answers' })
  @IsOptional()
  @IsIn(['void', 'rescore'])
  action?: 'void' | 'rescore';

  @ApiPropertyOptional({ type: [AnswerDto], description: 'rescore only: the complete corrected answers (the old score stays in the history)' })
  @IsOptional()
  @IsArray()
  answers?: unknown[];

  @ApiProperty({ description: 'the resolution’s reason (also the reason of a re-published period)' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(4000)
  note!: string;
}

export class DisputeListQueryDto {
  @ApiPropertyOptional({ enum: ['open', 'upheld', 'rejected'] }) @IsOptional() @IsIn(['open', 'upheld', 'rejected']) status?: 'open' | 'upheld' | 'rejected';
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 64) agent_id?: string;
  @ApiPropertyOptional({ default: 100, minimum: 1, maximum: 500 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
  @ApiPropertyOptional() @IsOptional() @Matches(/^\d{1,10}$/, { message: 'cursor must be a next_cursor returned by this endpoint' }) cursor?: string;
}

export class DisputeListDto {
  @ApiProperty({ type: [DisputeDto] }) disputes!: DisputeDto[];
  @ApiProperty({ nullable: true, type: String }) next_cursor!: string | null;
}

export class ResolveResultDto {
  @ApiProperty({ type: DisputeDto }) dispute!: DisputeDto;
  @ApiProperty({ type: AuditDto }) audit!: AuditDto;
  @ApiProperty({ type: RepublishedDto, nullable: true, description: 'set when the resolution changed a published period (a new snapshot version was made)' })
  republished!: RepublishedDto | null;
}

// --- audit log ---

export const LOG_ENTITY_TYPE_VALUES = ['form', 'audit', 'dispute', 'calibration_session', 'calibration_score'] as const;

export class AuditLogQueryDto {
  @ApiPropertyOptional({ enum: LOG_ENTITY_TYPE_VALUES }) @IsOptional() @IsIn(LOG_ENTITY_TYPE_VALUES) entity_type?: (typeof LOG_ENTITY_TYPE_VALUES)[number];
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(1) entity_id?: number;
  @ApiPropertyOptional({ default: 100, minimum: 1, maximum: 500 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
  @ApiPropertyOptional() @IsOptional() @Matches(/^\d{1,18}$/, { message: 'cursor must be a next_cursor returned by this endpoint' }) cursor?: string;
}

export class AuditLogEntryDto {
  @ApiProperty() log_id!: string;
  @ApiProperty({ enum: LOG_ENTITY_TYPE_VALUES }) entity_type!: string;
  @ApiProperty() entity_id!: number;
  @ApiProperty({ nullable: true, type: Number }) audit_id!: number | null;
  @ApiProperty({ example: 'edit' }) action!: string;
  @ApiProperty({ nullable: true, type: Number }) actor_user_id!: number | null;
  @ApiProperty({ nullable: true, type: String }) actor!: string | null;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true }) before!: Record<string, unknown> | null;
  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true }) after!: Record<string, unknown> | null;
}

export class AuditLogPageDto {
  @ApiProperty({ type: [AuditLogEntryDto], description: 'newest first' }) entries!: AuditLogEntryDto[];
  @ApiProperty({ nullable: true, type: String }) next_cursor!: string | null;
}

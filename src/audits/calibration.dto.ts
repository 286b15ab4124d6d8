import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsArray, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Length, MaxLength, Min } from 'class-validator';
import { AnswerDto, AuditFormRefDto } from './audit.dto';
import { AUDIT_CHANNELS, CRITERION_TYPES } from './domain/audit-form';

export class CreateCalibrationSessionDto {
  @ApiProperty({ example: 'October calibration: refund call' }) @IsString() @IsNotEmpty() @MaxLength(200) title!: string;
  @ApiProperty() @IsInt() @Min(1) form_id!: number;
  @ApiProperty({ description: 'an active version of the form' }) @IsInt() @Min(1) form_version!: number;
  @ApiProperty({ enum: AUDIT_CHANNELS }) @IsIn(AUDIT_CHANNELS) channel!: string;
  @ApiProperty({ description: 'the recording or transcript every auditor scores' }) @IsString() @IsNotEmpty() @MaxLength(500) interaction_ref!: string;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'the agent in the recording, when known (informative)' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  agent_id?: string | null;
}

export class CalibrationScoringDto {
  @ApiProperty({ type: [AnswerDto], description: 'every criterion of the session’s form exactly once' }) @IsArray() answers!: unknown[];
}

export class CalibrationReportQueryDto {
  @ApiPropertyOptional({ description: 'only sessions of this form' }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) form_id?: number;
}

export class MyScoringDto {
  @ApiProperty({ type: [AnswerDto] }) answers!: AnswerDto[];
  @ApiProperty({ nullable: true, type: Number }) score!: number | null;
  @ApiProperty() auto_failed!: boolean;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
}

export class CalibrationSessionDto {
  @ApiProperty() session_id!: number;
  @ApiProperty() title!: string;
  @ApiProperty({ type: AuditFormRefDto }) form!: AuditFormRefDto;
  @ApiProperty({ enum: AUDIT_CHANNELS }) channel!: string;
  @ApiProperty() interaction_ref!: string;
  @ApiProperty({ nullable: true, type: String }) agent_id!: string | null;
  @ApiProperty({ enum: ['open', 'closed'], description: 'scorings can be given and changed while open' }) status!: 'open' | 'closed';
  @ApiProperty({ description: 'number of auditors who scored' }) scorings!: number;
  @ApiProperty({ type: MyScoringDto, nullable: true, description: 'the caller’s own scoring (auditors)' }) my_scoring!: MyScoringDto | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ nullable: true, type: String }) created_by!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) closed_at!: string | null;
}

export class CalibrationSessionListDto {
  @ApiProperty({ type: [CalibrationSessionDto] }) sessions!: CalibrationSessionDto[];
}

export class CriterionSpreadDto {
  @ApiProperty() criterion_id!: string;
  @ApiProperty() section_id!: string;
  @ApiProperty() label!: string;
  @ApiProperty({ enum: CRITERION_TYPES }) type!: string;
  @ApiProperty() critical!: boolean;
  @ApiProperty() scorers!: number;
  @ApiProperty({ description: 'non-N/A answers' }) answered!: number;
  @ApiProperty() na!: number;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer' }, description: 'yes_no: yes/no/na; scale: 1…5/na' }) counts!: Record<string, number>;
  @ApiProperty({ nullable: true, type: Number, description: 'yes_no: share of scorers giving the most common answer (yes / no / N/A)' }) agreement_rate!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'yes_no: share of scorer pairs giving the same answer' }) pairwise_agreement!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'scale: mean 1–5 value' }) mean!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'scale: population standard deviation of the 1–5 values (null with < 2 values)' }) sd!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: '100 × mean points of the non-N/A answers' }) mean_points!: number | null;
}

export class AuditorDeviationDto {
  @ApiProperty({ description: 'the auditor’s e-mail' }) auditor!: string;
  @ApiProperty({ nullable: true, type: Number }) score!: number | null;
  @ApiProperty() auto_failed!: boolean;
  @ApiProperty({ nullable: true, type: Number, description: 'score − mean session score' }) score_deviation!: number | null;
  @ApiProperty() criteria_compared!: number;
  @ApiProperty({ nullable: true, type: Number, description: 'signed mean deviation from the group, 0–100 points per criterion (positive: more lenient)' }) mean_deviation!: number | null;
  @ApiProperty({ nullable: true, type: Number }) mean_absolute_deviation!: number | null;
}

export class ScoreSpreadDto {
  @ApiProperty({ nullable: true, type: Number }) mean!: number | null;
  @ApiProperty({ nullable: true, type: Number }) sd!: number | null;
  @ApiProperty({ nullable: true, type: Number }) min!: number | null;
  @ApiProperty({ nullable: true, type: Number }) max!: number | null;
}

export class CalibrationReportDto {
  @ApiProperty({ type: CalibrationSessionDto }) session!: CalibrationSessionDto;
  @ApiProperty() scorers!: number;
  @ApiProperty({ type: ScoreSpreadDto }) score!: ScoreSpreadDto;
  @ApiProperty({ type: [CriterionSpreadDto] }) criteria!: CriterionSpreadDto[];
  @ApiProperty({ type: [AuditorDeviationDto] }) auditors!: AuditorDeviationDto[];
}

export class AuditorSummaryDto {
  @ApiProperty() auditor!: string;
  @ApiProperty() sessions!: number;
  @ApiProperty() criteria_compared!: number;
  @ApiProperty({ nullable: true, type: Number }) mean_deviation!: number | null;
  @ApiProperty({ nullable: true, type: Number }) mean_absolute_deviation!: number | null;
  @ApiProperty({ nullable: true, type: Number }) mean_score_deviation!: number | null;
}

export class CalibrationSummaryDto {
  @ApiProperty({ description: 'sessions with at least one scoring' }) sessions!: number;
  @ApiProperty({ type: [AuditorSummaryDto] }) auditors!: AuditorSummaryDto[];
}

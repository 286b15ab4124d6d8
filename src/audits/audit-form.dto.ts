import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsArray, IsIn, IsInt, IsOptional, IsString, MaxLength, Min } from 'class-validator';
import { AUDIT_CHANNELS, CRITERION_TYPES } from './domain/audit-form';

// Request bodies: the top level is checked by the global validation pipe; sections and
// criteria by the pure form validation (src/audits/domain/audit-form.ts), which names each
// problem as `sections[1].criteria[0].weight`.

export class CriterionDto {
  @ApiProperty({ example: 'greeting', description: 'unique within the form: a–z, 0–9, _ and -, 1–64 characters' }) id!: string;
  @ApiProperty({ example: 'Greets the customer promptly and politely' }) label!: string;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'what the auditor looks for' }) guidance?: string | null;
  @ApiProperty({ enum: CRITERION_TYPES, description: 'yes_no: yes = 1, no = 0; scale: 1–5, v scores (v − 1) / 4' }) type!: string;
  @ApiProperty({ example: 2, description: '> 0; only relative weights matter' }) weight!: number;
  @ApiProperty({ description: 'answered no (or 1 on a scale), the whole audit scores 0 (auto-fail)' }) critical!: boolean;
  @ApiProperty({ description: 'whether "na" (not applicable) is allowed; N/A criteria drop out of the weighting' }) allow_na!: boolean;
}

export class FormSectionDto {
  @ApiProperty({ example: 'opening' }) id!: string;
  @ApiProperty({ example: 'Opening' }) title!: string;
  @ApiProperty({ type: [CriterionDto] }) criteria!: CriterionDto[];
}

export class SaveAuditFormDto {
  @ApiProperty({ example: 'Service audit (phone / chat)' })
  @IsString()
  @MaxLength(200)
  name!: string;

  @ApiPropertyOptional({ nullable: true, type: String })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string | null;

  @ApiPropertyOptional({ enum: AUDIT_CHANNELS, isArray: true, description: 'channels the form is meant for (informative)' })
  @IsOptional()
  @IsArray()
  channels?: string[];

  @ApiProperty({ type: [FormSectionDto], description: 'at least one section, each with at least one criterion' })
  @IsArray()
  sections!: unknown[];
}

export class RetireFormDto {
  @ApiPropertyOptional({ description: 'why the form is retired (kept in the audit log)' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  reason?: string;
}

export class FormListQueryDto {
  @ApiPropertyOptional({ enum: ['active', 'all'], default: 'all', description: 'active: only forms whose latest version may be used for new audits' })
  @IsOptional()
  @IsIn(['active', 'all'])
  status?: 'active' | 'all';
}

export class FormVersionParamDto {
  @Type(() => Number) @IsInt() @Min(1) version!: number;
}

export class FormVersionDto {
  @ApiProperty() form_id!: number;
  @ApiProperty({ description: 'version number within the form (1, 2, …)' }) version!: number;
  @ApiProperty({ description: 'global id of this version' }) form_version_id!: number;
  @ApiProperty() name!: string;
  @ApiProperty({ nullable: true, type: String }) description!: string | null;
  @ApiProperty({ enum: AUDIT_CHANNELS, isArray: true }) channels!: string[];
  @ApiProperty({ type: [FormSectionDto] }) sections!: FormSectionDto[];
  @ApiProperty({ enum: ['active', 'retired'], description: 'retired versions are rejected for new audits' }) status!: 'active' | 'retired';
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) retired_at!: string | null;
  @ApiProperty({ nullable: true, type: String }) retired_reason!: string | null;
  @ApiProperty({ description: 'whether this is the form’s latest version' }) latest!: boolean;
  @ApiProperty({ description: 'audits scored with this version (drafts included); a version in use is never changed' }) audits!: number;
  @ApiProperty({ description: 'seeded by Yardstick on first start' }) seeded!: boolean;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ nullable: true, type: String }) created_by!: string | null;
}

export class FormVersionRefDto {
  @ApiProperty() version!: number;
  @ApiProperty() form_version_id!: number;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['active', 'retired'] }) status!: 'active' | 'retired';
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) retired_at!: string | null;
  @ApiProperty({ nullable: true, type: String }) retired_reason!: string | null;
  @ApiProperty() audits!: number;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ nullable: true, type: String }) created_by!: string | null;
}

export class FormDetailDto extends FormVersionDto {
  @ApiProperty({ type: [FormVersionRefDto], description: 'every version, oldest first' }) versions!: FormVersionRefDto[];
}

export class FormListDto {
  @ApiProperty({ type: [FormVersionDto], description: 'each form’s latest version' }) forms!: FormVersionDto[];
}

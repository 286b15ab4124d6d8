import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsBoolean, IsIn, IsNumber, IsOptional, IsString, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { PERSPECTIVES, SCORABLE_KPI_KEYS } from '../kpis/domain/kpi-catalogue';
import { SubjectDto } from '../kpis/kpi-response.dto';

export class TemplateKpiDto {
  @ApiProperty({ enum: SCORABLE_KPI_KEYS }) @IsIn(SCORABLE_KPI_KEYS) key!: (typeof SCORABLE_KPI_KEYS)[number];
  @ApiProperty({ enum: PERSPECTIVES }) @IsIn(PERSPECTIVES) perspective!: (typeof PERSPECTIVES)[number];
  @ApiProperty({ description: '> 0' }) @IsNumber() weight!: number;
  @ApiProperty({ description: 'the value scoring 0' }) @IsNumber() floor!: number;
  @ApiProperty({ description: 'the value scoring 100 (floor > target: lower is better)' }) @IsNumber() target!: number;
  @ApiPropertyOptional({ default: 80 }) @IsOptional() @IsNumber() amber_at?: number;
  @ApiPropertyOptional({ default: 120 }) @IsOptional() @IsNumber() cap?: number;
}

export class SaveTemplateDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(200) name!: string;
  @ApiProperty({ type: [TemplateKpiDto] })
  @ValidateNested({ each: true })
  @Type(() => TemplateKpiDto)
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  kpis!: TemplateKpiDto[];
  @ApiPropertyOptional({ description: 'make this the template live scorecards use' }) @IsOptional() @IsBoolean() is_default?: boolean;
}

export class TemplateDto {
  @ApiProperty() template_id!: number;
  @ApiProperty({ description: 'id of the current version' }) version_id!: number;
  @ApiProperty() name!: string;
  @ApiProperty() version!: number;
  @ApiProperty() is_default!: boolean;
  @ApiProperty({ type: [TemplateKpiDto] }) kpis!: TemplateKpiDto[];
  @ApiProperty() created_at!: string;
  @ApiProperty({ nullable: true, type: String }) created_by!: string | null;
}

export class TemplateVersionRefDto {
  @ApiProperty() version_id!: number;
  @ApiProperty() version!: number;
  @ApiProperty() created_at!: string;
  @ApiProperty({ nullable: true, type: String }) created_by!: string | null;
}

export class TemplateDetailDto extends TemplateDto {
  @ApiProperty({ type: [TemplateVersionRefDto] }) versions!: TemplateVersionRefDto[];
}

export class TemplateListDto {
  @ApiProperty({ type: [TemplateDto] }) templates!: TemplateDto[];
}

export class ScorecardKpiDto {
  @ApiProperty() key!: string;
  @ApiProperty() label!: string;
  @ApiProperty({ enum: PERSPECTIVES }) perspective!: string;
  @ApiProperty() weight!: number;
  @ApiProperty({ nullable: true, type: Number }) value!: number | null;
  @ApiProperty() floor!: number;
  @ApiProperty() target!: number;
  @ApiProperty({ nullable: true, type: Number, description: 'clamp(100·(value − floor)/(target − floor), 0, cap)' }) score!: number | null;
  @ApiProperty({ nullable: true, enum: ['green', 'amber', 'red'] }) rag!: string | null;
  @ApiProperty() low_sample!: boolean;
}

export class ScorecardTemplateRefDto {
  @ApiProperty() template_id!: number;
  @ApiProperty() version_id!: number;
  @ApiProperty() name!: string;
  @ApiProperty() version!: number;
}

export class ScorecardAgentRowDto {
  @ApiProperty() agent_id!: string;
  @ApiProperty({ nullable: true, type: String }) name!: string | null;
  @ApiProperty({ nullable: true, type: Number }) composite_score!: number | null;
  @ApiProperty({ nullable: true, type: Number }) rank!: number | null;
  @ApiProperty({ enum: ['ok', 'insufficient_data'] }) status!: string;
}

export class ScorecardDto {
  @ApiProperty({ type: SubjectDto }) subject!: SubjectDto;
  @ApiProperty() period!: string;
  @ApiProperty({ enum: ['live', 'published'] }) period_status!: string;
  @ApiProperty({ nullable: true, type: Number, description: 'snapshot version; null while live' }) version!: number | null;
  @ApiProperty({ type: ScorecardTemplateRefDto }) template!: ScorecardTemplateRefDto;
  @ApiProperty({ enum: ['ok', 'insufficient_data'] }) status!: string;
  @ApiProperty({ nullable: true, type: Number }) composite_score!: number | null;
  @ApiProperty() coverage!: number;
  @ApiProperty({ nullable: true, type: Number, description: 'within the agent’s team; null for teams and insufficient data' }) rank!: number | null;
  @ApiProperty({ nullable: true, type: Number }) team_size!: number | null;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number', nullable: true } }) perspectives!: Record<string, number | null>;
  @ApiProperty({ type: [ScorecardKpiDto] }) kpis!: ScorecardKpiDto[];
  @ApiPropertyOptional({ type: [ScorecardAgentRowDto], description: 'team scorecards: the direct members' }) agents?: ScorecardAgentRowDto[];
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsInt, Matches, Max, Min, MaxLength } from 'class-validator';
import { Type } from 'class-transformer';
import { COMPLAINT_CATEGORIES, KPI_CATALOGUE, KPI_KEYS } from './domain/kpi-catalogue';

export const PERIOD_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;

export class PeriodQueryDto {
  @ApiProperty({ example: '2026-10', description: 'calendar month YYYY-MM in ORG_TIMEZONE' })
  @Matches(PERIOD_PATTERN, { message: 'period must be YYYY-MM' })
  period!: string;

  @ApiPropertyOptional({ description: 'a published version to read (default: the latest)', minimum: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  version?: number;
}

export class SeriesQueryDto {
  @ApiProperty({ example: '2025-11' })
  @Matches(PERIOD_PATTERN, { message: 'from must be YYYY-MM' })
  from!: string;

  @ApiProperty({ example: '2026-10' })
  @Matches(PERIOD_PATTERN, { message: 'to must be YYYY-MM' })
  to!: string;
}

export class RecordsQueryDto {
  @ApiProperty({ example: '2026-10' })
  @Matches(PERIOD_PATTERN, { message: 'period must be YYYY-MM' })
  period!: string;

  @ApiPropertyOptional({ default: 100, minimum: 1, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;

  @ApiPropertyOptional({ description: 'opaque cursor from the previous page' })
  @IsOptional()
  @MaxLength(512)
  cursor?: string;
}

export class ComplaintsByCategoryDto {
  @ApiProperty({
    type: 'object',
    properties: Object.fromEntries(COMPLAINT_CATEGORIES.map((c) => [c, { type: 'integer' }])),
    required: [...COMPLAINT_CATEGORIES],
  })
  by_category!: Record<string, number>;

  @ApiProperty({ type: 'object', properties: { true: { type: 'integer' }, false: { type: 'integer' }, unknown: { type: 'integer' } } })
  by_controllable!: Record<'true' | 'false' | 'unknown', number>;
}

export class KpiValueDto {
  @ApiProperty({
    nullable: true,
    oneOf: [{ type: 'number' }, { $ref: '#/components/schemas/ComplaintsByCategoryDto' }],
    description: 'unrounded; null when the denominator is empty (complaints_by_category: an object)',
  })
  value!: number | null | ComplaintsByCategoryDto;
  @ApiProperty({ nullable: true, type: Number, description: 'percentage: the count (nps: promoters − detractors); mean: the sum' }) numerator!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'percentage or mean: the count' }) denominator!: number | null;
  @ApiProperty({ description: 'records behind the value' }) sample_size!: number;
  @ApiProperty({ description: 'sample_size < LOW_SAMPLE_MIN' }) low_sample!: boolean;
  @ApiProperty({ nullable: true, type: Number, description: 'value of the previous period' }) previous!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'value of the same month a year earlier' }) year_ago!: number | null;
  @ApiProperty({ nullable: true, type: Number }) delta_previous!: number | null;
  @ApiProperty({ nullable: true, type: Number }) delta_year_ago!: number | null;
}

/** One property per KPI key of kpi-definitions.md. */
export class KpisDto {}
for (const key of KPI_KEYS) {
  ApiProperty({ type: KpiValueDto, description: KPI_CATALOGUE[key].definition })(KpisDto.prototype, key);
}

export class SubjectDto {
  @ApiProperty({ enum: ['agent', 'team', 'org'] }) type!: string;
  @ApiProperty({ nullable: true, type: String }) id!: string | null;
  @ApiProperty({ nullable: true, type: String }) name!: string | null;
}

export class SubjectKpisDto {
  @ApiProperty({ type: SubjectDto }) subject!: SubjectDto;
  @ApiProperty({ example: '2026-10' }) period!: string;
  @ApiProperty({ enum: ['live', 'published'] }) status!: string;
  @ApiProperty({ nullable: true, type: Number, description: 'snapshot version; null while live' }) version!: number | null;
  @ApiProperty() definitions_version!: number;
  @ApiProperty({ type: KpisDto }) kpis!: KpisDto;
}

export class AgentKpisRowDto {
  @ApiProperty() agent_id!: string;
  @ApiProperty({ nullable: true, type: String }) name!: string | null;
  @ApiProperty({ nullable: true, type: String }) team_id!: string | null;
  @ApiProperty({ type: KpisDto }) kpis!: KpisDto;
}

export class TeamAgentsKpisDto {
  @ApiProperty() period!: string;
  @ApiProperty({ enum: ['live', 'published'] }) status!: string;
  @ApiProperty({ nullable: true, type: Number }) version!: number | null;
  @ApiProperty({ type: [AgentKpisRowDto] }) agents!: AgentKpisRowDto[];
}

export class SeriesPointDto {
  @ApiProperty() period!: string;
  @ApiProperty({ enum: ['live', 'published'] }) status!: string;
  @ApiProperty({ nullable: true, type: Number }) version!: number | null;
  @ApiProperty({ type: KpisDto }) kpis!: KpisDto;
}

export class SeriesDto {
  @ApiProperty({ type: SubjectDto }) subject!: SubjectDto;
  @ApiProperty({ type: [SeriesPointDto] }) points!: SeriesPointDto[];
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

export class ReportsQueryDto {
  @ApiPropertyOptional({ example: '2026-10', description: 'YYYY-MM' })
  @IsOptional()
  @Matches(/^\d{4}-(0[1-9]|1[0-2])$/, { message: 'period must be YYYY-MM' })
  period?: string;

  @ApiPropertyOptional({ enum: ['agent', 'team'] })
  @IsOptional()
  @IsIn(['agent', 'team'])
  subject_type?: 'agent' | 'team';

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(64)
  subject_id?: string;

  @ApiPropertyOptional({ default: 1, minimum: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  page?: number;

  @ApiPropertyOptional({ default: 100, minimum: 1, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  page_size?: number;
}

export class ReportDto {
  @ApiProperty() report_id!: number;
  @ApiProperty({ example: '2026-10' }) period!: string;
  @ApiProperty({ enum: ['agent', 'team'] }) subject_type!: string;
  @ApiProperty() subject_id!: string;
  @ApiProperty({ nullable: true, type: String }) subject_name!: string | null;
  @ApiProperty({ description: 'snapshot version the PDF was rendered from' }) version!: number;
  @ApiProperty({ description: 'hex sha256 of the PDF bytes' }) sha256!: string;
  @ApiProperty() bytes!: number;
  @ApiProperty({ nullable: true, type: Number }) run_id!: number | null;
  @ApiProperty() created_at!: string;
}

export class ReportListDto {
  @ApiProperty({ type: [ReportDto] }) reports!: ReportDto[];
  @ApiProperty() page!: number;
  @ApiProperty() page_size!: number;
  @ApiProperty() total!: number;
}

export class ReportDownloadDto {
  @ApiProperty({ nullable: true, type: Number }) user_id!: number | null;
  @ApiProperty({ nullable: true, type: String }) user_email!: string | null;
  @ApiProperty({ nullable: true, type: String }) role!: string | null;
  @ApiProperty() downloaded_at!: string;
}

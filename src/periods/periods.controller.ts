import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiCreatedResponse, ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { CurrentUser } from '../auth/current-user.decorator';
import type { Principal } from '../auth/principal';
import { Roles } from '../auth/roles.decorator';
import { ParsePeriodPipe } from '../common/period.pipe';
import { PeriodsService } from './periods.service';

class PublishDto {
  @ApiPropertyOptional({ description: 'required when the period is already published (the new version’s reason)' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  reason?: string;
}

export class SnapshotDto {
  @ApiProperty() period!: string;
  @ApiProperty() version!: number;
  @ApiProperty() definitions_version!: number;
  @ApiProperty() template_version_id!: number;
  @ApiProperty({ nullable: true, type: String }) reason!: string | null;
  @ApiProperty() data_version!: number;
  @ApiProperty() created_at!: string;
  @ApiProperty({ nullable: true, type: String }) created_by!: string | null;
}

class PeriodStatusDto {
  @ApiProperty() period!: string;
  @ApiProperty({ enum: ['live', 'published'] }) status!: string;
  @ApiProperty({ nullable: true, type: Number }) version!: number | null;
  @ApiProperty({ type: [SnapshotDto] }) versions!: SnapshotDto[];
}

@ApiTags('periods')
@ApiBearerAuth()
@Controller('api/v1/periods')
export class PeriodsController {
  constructor(private readonly periods: PeriodsService) {}

  /**
   * Freeze a month: every subject's KPIs (with trends) and scorecards become version 1 of a
   * snapshot; publishing again needs a `reason` and makes version n+1. Earlier versions stay readable.
   */
  @Post(':period/publish')
  @HttpCode(201)
  @Roles('admin', 'hr')
  @ApiCreatedResponse({ type: SnapshotDto })
  @ApiConflictResponse({ description: 'already published and no reason given' })
  async publish(@Param('period', ParsePeriodPipe) period: string, @Body() body: PublishDto, @CurrentUser() user: Principal): Promise<SnapshotDto> {
    const { id: _id, ...header } = await this.periods.publish(period, { reason: body.reason, by: user.email });
    return header;
  }

  /** Whether a month is live or published, and its published versions. */
  @Get(':period')
  @Roles('admin', 'hr', 'manager', 'team_lead', 'agent')
  @ApiOkResponse({ type: PeriodStatusDto })
  async status(@Param('period', ParsePeriodPipe) period: string): Promise<PeriodStatusDto> {
    const versions = (await this.periods.versions(period)).map(({ id: _id, ...v }) => v);
    const latest = versions.at(-1) ?? null;
    return { period: period, status: latest ? 'published' : 'live', version: latest?.version ?? null, versions };
  }
}

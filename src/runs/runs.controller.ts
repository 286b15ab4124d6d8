import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';
import { CurrentUser } from '../auth/current-user.decorator';
import type { Principal } from '../auth/principal';
import { Roles } from '../auth/roles.decorator';
import { ParsePeriodPipe } from '../common/period.pipe';
import { RunsService, type RunView } from './runs.service';

class StartRunDto {
  @ApiPropertyOptional({ default: false, description: 'run again although the period’s run succeeded: a new snapshot version and new PDFs (old ones are kept)' })
  @IsOptional()
  @IsBoolean()
  force?: boolean;
}

class StartedRunDto {
  @ApiProperty() run_id!: number;
  @ApiProperty({ enum: ['queued', 'running', 'succeeded', 'failed'] }) status!: string;
  @ApiProperty({ description: 'false when an existing run is returned: one already queued or running, or (without force) the one that succeeded' })
  created!: boolean;
}

class RunProgressDto {
  @ApiProperty() done!: number;
  @ApiProperty() total!: number;
}

class DeliverySummaryDto {
  @ApiProperty() total!: number;
  @ApiProperty() sent!: number;
  @ApiProperty() failed!: number;
  @ApiProperty() pending!: number;
  @ApiProperty({ description: 'recipients who lost access to every report before their mail went out' }) skipped!: number;
  @ApiProperty({ type: 'array', items: { type: 'object', properties: { email: { type: 'string' }, error: { type: 'string', nullable: true } } } })
  failures!: { email: string; error: string | null }[];
}

class RunDto {
  @ApiProperty() run_id!: number;
  @ApiProperty() period!: string;
  @ApiProperty({ enum: ['queued', 'running', 'succeeded', 'failed'] }) status!: string;
  @ApiProperty() force!: boolean;
  @ApiProperty({ enum: ['cron', 'api', 'cli'] }) trigger!: string;
  @ApiProperty({ nullable: true, type: String }) requested_by!: string | null;
  @ApiProperty({ nullable: true, type: Number }) snapshot_version!: number | null;
  @ApiProperty({ type: RunProgressDto, description: 'reports rendered / reports to render' }) progress!: RunProgressDto;
  @ApiProperty() created_at!: string;
  @ApiProperty({ nullable: true, type: String }) started_at!: string | null;
  @ApiProperty({ nullable: true, type: String }) finished_at!: string | null;
  @ApiProperty({ nullable: true, type: String }) error!: string | null;
  @ApiProperty({ nullable: true, type: DeliverySummaryDto }) deliveries!: DeliverySummaryDto | null;
}

@ApiTags('runs')
@ApiBearerAuth()
@Controller('api/v1')
export class RunsController {
  constructor(private readonly runs: RunsService) {}

  /**
   * Compute, publish, render and deliver a month that has ended. A second request while the run is
   * queued or running returns the same run; a finished period is not run again unless `force`.
   */
  @Post('periods/:period/runs')
  @HttpCode(202)
  @Roles('admin', 'hr', 'manager')
  @ApiAcceptedResponse({ type: StartedRunDto })
  async start(@Param('period', ParsePeriodPipe) period: string, @Body() body: StartRunDto, @CurrentUser() user: Principal): Promise<StartedRunDto> {
    const { run, created } = await this.runs.start(period, { force: body.force ?? false, trigger: 'api', by: user.email });
    return { run_id: run.id, status: run.status, created };
  }

  /** A run's status and progress (reports rendered of reports to render), and its deliveries once they started. */
  @Get('runs/:run_id')
  @Roles('admin', 'hr', 'manager')
  @ApiOkResponse({ type: RunDto })
  @ApiNotFoundResponse({ description: 'unknown run' })
  async get(@Param('run_id', ParseIntPipe) runId: number): Promise<RunView> {
    return this.runs.view(runId);
  }
}

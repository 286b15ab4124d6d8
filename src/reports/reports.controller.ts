import { Controller, Get, Param, ParseIntPipe, Query, Res, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentUser } from '../auth/current-user.decorator';
import type { Principal } from '../auth/principal';
import { Roles } from '../auth/roles.decorator';
import { ReportDownloadDto, ReportListDto, ReportsQueryDto } from './reports.dto';
import { ReportsService } from './reports.service';

const READERS = ['admin', 'hr', 'manager', 'team_lead', 'agent'] as const;

@ApiTags('reports')
@ApiBearerAuth()
@Controller('api/v1/reports')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  /** The rendered PDF scorecards the caller may see (team leads: their teams and those teams' agents; agents: their own). */
  @Get()
  @Roles(...READERS)
  @ApiOkResponse({ type: ReportListDto })
  async list(@Query() q: ReportsQueryDto, @CurrentUser() user: Principal): Promise<ReportListDto> {
    return this.reports.list(user, {
      period: q.period,
      subjectType: q.subject_type,
      subjectId: q.subject_id,
      page: q.page ?? 1,
      pageSize: q.page_size ?? 100,
    });
  }

  /** The PDF itself; every download is recorded (who, when). */
  @Get(':report_id/pdf')
  @Roles(...READERS)
  @ApiProduces('application/pdf')
  @ApiOkResponse({ description: 'the PDF', schema: { type: 'string', format: 'binary' } })
  @ApiNotFoundResponse({ description: 'unknown report' })
  @ApiForbiddenResponse({ description: 'outside your scope' })
  async pdf(
    @Param('report_id', ParseIntPipe) reportId: number,
    @CurrentUser() user: Principal,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StreamableFile> {
    const { report, bytes } = await this.reports.download(user, reportId);
    const name = report.path.split('/').pop()!;
    res.setHeader('Content-Type', 'application/pdf');
    res.setHeader('Content-Disposition', `attachment; filename="${name}"`);
    res.setHeader('X-Content-SHA256', report.sha256);
    return new StreamableFile(bytes);
  }

  /** Who downloaded a report and when (the audit trail). */
  @Get(':report_id/downloads')
  @Roles('admin', 'hr', 'manager')
  @ApiOkResponse({ type: [ReportDownloadDto] })
  async downloads(@Param('report_id', ParseIntPipe) reportId: number, @CurrentUser() user: Principal): Promise<ReportDownloadDto[]> {
    return this.reports.downloads(user, reportId);
  }
}

import { Injectable, Logger } from '@nestjs/common';
import { ScopeService } from '../access/scope.service';
import type { Principal } from '../auth/principal';
import { forbidden, notFound, ProblemException } from '../common/problem-details';
import type { ReportDto } from './reports.dto';
import { ReportsRepository, type ReportRow } from './reports.repository';
import { ReportStorage, sha256 } from './report-storage';

export function toReportDto(r: ReportRow): ReportDto {
  return {
    report_id: r.report_id,
    period: r.period,
    subject_type: r.subject_type,
    subject_id: r.subject_id,
    subject_name: r.subject_name,
    version: r.version,
    sha256: r.sha256,
    bytes: r.bytes,
    run_id: r.run_id,
    created_at: r.created_at,
  };
}

/** Listing and serving the PDF archive, under the scope rule, with every download recorded. */
@Injectable()
export class ReportsService {
  private readonly logger = new Logger(ReportsService.name);

  constructor(
    private readonly repo: ReportsRepository,
    private readonly storage: ReportStorage,
    private readonly scope: ScopeService,
  ) {}

  async list(user: Principal, q: { period?: string; subjectType?: string; subjectId?: string; page: number; pageSize: number }) {
    const scope = await this.scope.scopeOf(user);
    if (!scope.all && scope.teamIds.size === 0 && !scope.selfAgentId) throw forbidden('reports are not visible to your role');
    const { rows, total } = await this.repo.list(
      { period: q.period, subjectType: q.subjectType, subjectId: q.subjectId, limit: q.pageSize, offset: (q.page - 1) * q.pageSize },
      { all: scope.all, teamIds: [...scope.teamIds], selfAgentId: scope.selfAgentId },
    );
    return { reports: rows.map(toReportDto), page: q.page, page_size: q.pageSize, total };
  }

  /** 404 unknown, 403 outside scope; the bytes are checked against the recorded sha256 before they are served. */
  async download(user: Principal, reportId: number): Promise<{ report: ReportRow; bytes: Buffer }> {
    const report = await this.visible(user, reportId);
    let bytes: Buffer;
    try {
      bytes = await this.storage.read(report.path);
    } catch (err) {
      this.logger.error(`report ${reportId}: cannot read ${report.path}: ${(err as Error).message}`);
      throw new ProblemException(410, 'Gone', `the PDF of report ${reportId} is missing from the archive (${report.path})`);
    }
    if (sha256(bytes) !== report.sha256) {
      this.logger.error(`report ${reportId}: ${report.path} does not match its recorded sha256`);
      throw new ProblemException(500, 'Internal Server Error', `the PDF of report ${reportId} does not match its recorded sha256; it is not served`);
    }
    await this.repo.recordDownload(report.report_id, user);
    return { report, bytes };
  }

  async downloads(user: Principal, reportId: number) {
    await this.visible(user, reportId);
    return this.repo.downloads(reportId);
  }

  private async visible(user: Principal, reportId: number): Promise<ReportRow> {
    const report = await this.repo.byId(reportId);
    if (!report) throw notFound('report', String(reportId));
    if (report.subject_type === 'agent') await this.scope.assertAgentVisible(user, report.subject_id);
    else await this.scope.assertTeamVisible(user, report.subject_id);
    return report;
  }
}

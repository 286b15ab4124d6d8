import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { FeedbackModule } from '../feedback/feedback.module';
import { RenderPool } from './rendering/render-pool';
import { ReportDataRepository } from './report-data.repository';
import { ReportDataService } from './report-data.service';
import { RENDER_POOL, ReportRenderService } from './report-render.service';
import { ReportSectionsRepository } from './report-sections.repository';
import { ReportSectionsService } from './report-sections.service';

/**
 * PDF rendering of published snapshots: ReportRenderService.renderAgent / renderTeam. The
 * render pool has RENDER_CONCURRENCY worker threads (started on first use, ended with the
 * module). ReportSectionsService: sections other capabilities register (retention), computed
 * once per snapshot and stored.
 */
@Module({
  imports: [FeedbackModule],
  providers: [
    ReportDataRepository,
    ReportDataService,
    ReportSectionsRepository,
    ReportSectionsService,
    { provide: RENDER_POOL, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new RenderPool(config.renderConcurrency) },
    ReportRenderService,
  ],
  exports: [ReportRenderService, ReportSectionsService],
})
export class ReportsRenderingModule {}

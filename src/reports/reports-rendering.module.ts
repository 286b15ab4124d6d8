import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { FeedbackModule } from '../feedback/feedback.module';
import { RenderPool } from './rendering/render-pool';
import { ReportDataRepository } from './report-data.repository';
import { ReportDataService } from './report-data.service';
import { RENDER_POOL, ReportRenderService } from './report-render.service';

/**
 * PDF rendering of published snapshots: ReportRenderService.renderAgent / renderTeam. The
 * render pool has RENDER_CONCURRENCY worker threads (started on first use, ended with the
 * module).
 */
@Module({
  imports: [FeedbackModule],
  providers: [
    ReportDataRepository,
    ReportDataService,
    { provide: RENDER_POOL, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new RenderPool(config.renderConcurrency) },
    ReportRenderService,
  ],
  exports: [ReportRenderService],
})
export class ReportsRenderingModule {}

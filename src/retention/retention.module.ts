import { Module } from '@nestjs/common';
import { systemClock, type Clock } from '../common/clock';
import { MailModule } from '../delivery/mail.module';
import { DrilldownRepository } from '../kpis/drilldown.repository';
import { KpisModule } from '../kpis/kpis.module';
import { ReportsRenderingModule } from '../reports/reports-rendering.module';
import { AtRiskController } from './at-risk.controller';
import { AtRiskService } from './at-risk.service';
import { RetentionKpiContributor } from './retention-kpi.contributor';
import { RetentionKpiRepository } from './retention-kpi.repository';
import { RetentionSectionsProvider } from './retention-sections.provider';
import { RetentionSectionsRepository } from './retention-sections.repository';
import { RetentionJobs } from './retention.jobs';
import { RetentionRepository } from './retention.repository';
import { RETENTION_CLOCK, RetentionService } from './retention.service';
import { WinBackTasksController } from './win-back-tasks.controller';
import { WinBackTasksRepository } from './win-back-tasks.repository';
import { WinBackTasksService } from './win-back-tasks.service';

/**
 * Churn early warning and win-back (shared/spec/retention.md): the at-risk lists per agent and
 * team, win-back tasks with contact attempts and outcomes, the weekly refresh, digests and
 * daily confirmation (RetentionService; the scheduler calls them), and the KPIs win_back_rate
 * and churn_controllable_share with their drill-downs; the reports' retention section (customers
 * at risk, churn reasons), registered with ReportSectionsService and frozen per snapshot.
 */
@Module({
  imports: [KpisModule, MailModule, ReportsRenderingModule],
  controllers: [AtRiskController, WinBackTasksController],
  providers: [
    { provide: RETENTION_CLOCK, useFactory: (): Clock => ({ now: () => systemClock.now() }) },
    DrilldownRepository,
    RetentionRepository,
    RetentionService,
    AtRiskService,
    WinBackTasksRepository,
    WinBackTasksService,
    RetentionKpiRepository,
    RetentionKpiContributor,
    RetentionJobs,
    RetentionSectionsRepository,
    RetentionSectionsProvider,
  ],
  exports: [RetentionService, WinBackTasksService, RetentionJobs],
})
export class RetentionModule {}

import { Module } from '@nestjs/common';
import { systemClock } from '../common/clock';
import { DeliveryModule } from '../delivery/delivery.module';
import { DeliveryService } from '../delivery/delivery.service';
import { KpisModule } from '../kpis/kpis.module';
import { CLOCK } from '../periods/periods.service';
import { ReportRenderService } from '../reports/report-render.service';
import { ReportsRenderingModule } from '../reports/reports-rendering.module';
import { ReportsModule } from '../reports/reports.module';
import { MonthlyRunJob } from './monthly-run.job';
import { REPORT_RENDERER, RUN_DELIVERY } from './run-ports';
import { RunsController } from './runs.controller';
import { RunsRepository } from './runs.repository';
import { RunsService } from './runs.service';

/** The monthly run (compute → publish → render → deliver) through the job queue, its cron and its API. */
@Module({
  imports: [KpisModule, ReportsModule, ReportsRenderingModule, DeliveryModule],
  controllers: [RunsController],
  providers: [
    { provide: CLOCK, useValue: systemClock },
    { provide: REPORT_RENDERER, useExisting: ReportRenderService },
    { provide: RUN_DELIVERY, useExisting: DeliveryService },
    RunsRepository,
    RunsService,
    MonthlyRunJob,
  ],
  exports: [RunsService, MonthlyRunJob],
})
export class RunsModule {}

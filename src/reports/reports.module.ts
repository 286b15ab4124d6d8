import { Module } from '@nestjs/common';
import { ReportsController } from './reports.controller';
import { ReportsRepository } from './reports.repository';
import { ReportsService } from './reports.service';
import { ReportStorage } from './report-storage';

/** The PDF archive: listing and downloading rendered scorecards (the renderer lives in ReportsRenderingModule). */
@Module({
  controllers: [ReportsController],
  providers: [ReportsRepository, ReportStorage, ReportsService],
  exports: [ReportsRepository, ReportStorage],
})
export class ReportsModule {}

import { Module } from '@nestjs/common';
import { systemClock } from '../common/clock';
import { KpisModule } from '../kpis/kpis.module';
import { CLOCK } from '../periods/periods.service';
import { AuditFormsController } from './audit-forms.controller';
import { AuditFormsRepository } from './audit-forms.repository';
import { AuditFormsService } from './audit-forms.service';
import { AuditKpiContributor } from './audit-kpi.contributor';
import { AuditKpiRepository } from './audit-kpi.repository';
import { AuditLogRepository } from './audit-log.repository';
import { AuditPeriodsService } from './audit-periods.service';
import { AuditsController } from './audits.controller';
import { AuditsRepository } from './audits.repository';
import { AuditsService } from './audits.service';
import { CalibrationController } from './calibration.controller';
import { CalibrationRepository } from './calibration.repository';
import { CalibrationService } from './calibration.service';
import { DisputesController } from './disputes.controller';
import { DisputesService } from './disputes.service';

/**
 * Mystery-shopper audits (shared/spec/evaluations.md): versioned forms (the default phone /
 * chat form is seeded on start), audits, disputes, calibration, the evaluation audit log,
 * and the mystery_shopper_score KPI with its drill-down.
 */
@Module({
  imports: [KpisModule],
  controllers: [AuditFormsController, AuditsController, DisputesController, CalibrationController],
  providers: [
    { provide: CLOCK, useValue: systemClock },
    AuditLogRepository,
    AuditFormsRepository,
    AuditFormsService,
    AuditsRepository,
    AuditPeriodsService,
    AuditsService,
    DisputesService,
    CalibrationRepository,
    CalibrationService,
    AuditKpiRepository,
    AuditKpiContributor,
  ],
  exports: [AuditFormsService, AuditsService, DisputesService, CalibrationService],
})
export class AuditsModule {}

import { Module } from '@nestjs/common';
import { PeriodsController } from '../periods/periods.controller';
import { CLOCK, PeriodsService } from '../periods/periods.service';
import { SnapshotsRepository } from '../periods/snapshots.repository';
import { ScorecardsController } from '../scorecards/scorecards.controller';
import { ScorecardsService } from '../scorecards/scorecards.service';
import { TemplatesService } from '../scorecards/templates.service';
import { systemClock } from '../common/clock';
import { DrilldownController } from './drilldown.controller';
import { DrilldownRepository } from './drilldown.repository';
import { DrilldownService } from './drilldown.service';
import { KpiEngineService } from './kpi-engine.service';
import { KpiQueryService } from './kpi-query.service';
import { KpiController } from './kpi.controller';
import { KpiRepository } from './kpi.repository';

/** KPI engine, periods (live and published), balanced scorecards and the KPI drill-down. */
@Module({
  controllers: [KpiController, ScorecardsController, PeriodsController, DrilldownController],
  providers: [
    KpiRepository,
    KpiEngineService,
    KpiQueryService,
    SnapshotsRepository,
    TemplatesService,
    ScorecardsService,
    PeriodsService,
    { provide: CLOCK, useValue: systemClock },
    DrilldownRepository,
    DrilldownService,
  ],
  exports: [KpiEngineService, KpiQueryService, ScorecardsService, PeriodsService, TemplatesService, SnapshotsRepository, DrilldownService],
})
export class KpisModule {}

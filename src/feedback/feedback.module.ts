import { Module } from '@nestjs/common';
import { systemClock, type Clock } from '../common/clock';
import { KpisModule } from '../kpis/kpis.module';
import { FeedbackKpiContributor } from './feedback-kpi.contributor';
import { FeedbackController } from './feedback.controller';
import { FeedbackRepository } from './feedback.repository';
import { FEEDBACK_CLOCK, FeedbackService } from './feedback.service';

/** 360-degree feedback: cycles, responses, anonymous results, and feedback_360_score for the KPI engine. */
@Module({
  imports: [KpisModule],
  controllers: [FeedbackController],
  providers: [
    FeedbackRepository,
    FeedbackService,
    FeedbackKpiContributor,
    // this module's own clock object (tests replace its `now`; the shared systemClock is never touched)
    { provide: FEEDBACK_CLOCK, useFactory: (): Clock => ({ now: () => systemClock.now() }) },
  ],
  exports: [FeedbackService, FeedbackRepository, FeedbackKpiContributor],
})
export class FeedbackModule {}

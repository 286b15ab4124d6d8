import { Injectable, type OnModuleInit } from '@nestjs/common';
import { KpiEngineService, periodWindow } from '../kpis/kpi-engine.service';
import { lastDay } from '../periods/domain/period';
import type { ReportSectionProvider, SectionSnapshot } from '../reports/report-sections.service';
import { ReportSectionsService } from '../reports/report-sections.service';
import {
  addLost,
  addRisk,
  addWinBack,
  rollUpToTeams,
  tallyLostByOwner,
  tallyRiskByOwner,
  zeroLost,
  zeroRisk,
  zeroWinBack,
  RETENTION_SECTION,
  type RetentionSectionData,
  type WinBackTally,
} from './domain/retention-section';
import { RetentionKpiRepository } from './retention-kpi.repository';
import { RetentionSectionsRepository } from './retention-sections.repository';
import { RetentionService } from './retention.service';

export { RETENTION_SECTION } from './domain/retention-section';

/**
 * The retention section of the PDF scorecards (issue 7, item 4), computed once per snapshot
 * (ReportSectionsService) as of the last day d of the snapshot's period:
 *
 * - customers at risk by level (high, medium) × tier (key, major, ordinary, small; 'none'
 *   when the models cannot be fitted as of d — then no_tiers_reason says why) and the
 *   not_worth_pursuing marks: one organisation-wide list (RetentionService.organisationList),
 *   tallied in one pass by owner on d, then rolled up to every team by the agents' current
 *   teams (the engine's team rule) — never one list per subject;
 * - win-back tasks per agent (opened in P; settled with their window ended in P, confirmed),
 *   rolled up the same way (the rule of win_back_rate);
 * - for teams and the organisation, the customers lost in P by churn reason and
 *   controllability, by churn_controllable_share's rule (RetentionKpiRepository.lostCustomers:
 *   the reason recorded on the task closed as lost wins, else the last complaint ticket's),
 *   counted for the owner on s0 and that agent's current team and its ancestors.
 *
 * Rows: every agent and every team of the organisation (zeros when nothing counts for them)
 * and the organisation ('org:').
 */
@Injectable()
export class RetentionSectionsProvider implements ReportSectionProvider, OnModuleInit {
  readonly section = RETENTION_SECTION;

  constructor(
    private readonly sections: ReportSectionsService,
    private readonly retention: RetentionService,
    private readonly kpiRepo: RetentionKpiRepository,
    private readonly repo: RetentionSectionsRepository,
    private readonly engine: KpiEngineService,
  ) {}

  onModuleInit(): void {
    this.sections.register(this);
  }

  async compute(snapshot: Pick<SectionSnapshot, 'period'>): Promise<Map<string, RetentionSectionData>> {
    const asOf = lastDay(snapshot.period);
    const window = periodWindow(snapshot.period);
    // the list first: its load takes several connections of the pool
    const { summary, list } = await this.retention.organisationList(asOf);
    const [lost, structure, winBack] = await Promise.all([
      this.kpiRepo.lostCustomers(window, this.engine.settings()),
      this.repo.teamStructure(),
      this.repo.winBackByAgent(window),
    ]);
    const risk = tallyRiskByOwner(list);
    const lostTally = tallyLostByOwner(lost);
    const noTiersReason = summary.cutoffs ? null : (summary.model.reason ?? 'the predictive models are not fitted');

    const riskTeams = rollUpToTeams(risk.byOwner, structure, zeroRisk, addRisk);
    const lostTeams = rollUpToTeams(lostTally.byOwner, structure, zeroLost, addLost);
    const winBackTeams = rollUpToTeams(winBack, structure, zeroWinBack, addWinBack);
    const winBackAll = zeroWinBack();
    for (const v of winBack.values()) addWinBack(winBackAll, v);

    const data = (r: RetentionSectionData['risk'], w: WinBackTally, l: RetentionSectionData['lost']): RetentionSectionData => ({
      as_of: asOf,
      period: snapshot.period,
      no_tiers_reason: noTiersReason,
      risk: r,
      win_back: w,
      lost: l,
    });
    const out = new Map<string, RetentionSectionData>();
    for (const agent of structure.agentTeams.keys()) out.set(`agent:${agent}`, data(risk.byOwner.get(agent) ?? zeroRisk(), winBack.get(agent) ?? zeroWinBack(), null));
    for (const team of structure.parents.keys()) out.set(`team:${team}`, data(riskTeams.get(team)!, winBackTeams.get(team)!, lostTeams.get(team)!));
    out.set('org:', data(risk.all, winBackAll, lostTally.all));
    return out;
  }
}

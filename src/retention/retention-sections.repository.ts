import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { PG_POOL } from '../database/database.module';
import type { PeriodWindow } from '../kpis/kpi.repository';
import type { TeamStructure, WinBackTally } from './domain/retention-section';

/** What the retention section of the reports reads besides the at-risk list and the lost customers. */
@Injectable()
export class RetentionSectionsRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** The team tree and every agent's current team (the engine's team rule for portfolio KPIs and tasks). */
  async teamStructure(): Promise<TeamStructure> {
    const [teams, agents] = await Promise.all([
      this.pool.query<{ team_id: string; parent_team_id: string | null }>('select team_id, parent_team_id from teams order by team_id collate "C"'),
      this.pool.query<{ agent_id: string; team_id: string | null }>('select agent_id, team_id from agents order by agent_id collate "C"'),
    ]);
    return {
      parents: new Map(teams.rows.map((r) => [r.team_id, r.parent_team_id])),
      agentTeams: new Map(agents.rows.map((r) => [r.agent_id, r.team_id])),
    };
  }

  /**
   * Win-back tasks per assigned agent: opened in P (opened_on from P's first day to s1), and,
   * as win_back_rate counts them (retention.md, "KPIs"), those whose confirmation window ended
   * in P and that the daily pass has settled, with the confirmed ones.
   */
  async winBackByAgent(w: PeriodWindow): Promise<Map<string, WinBackTally>> {
    const r = await this.pool.query<{ agent_id: string } & WinBackTally>(
      `select t.agent_id,
              count(*) filter (where t.opened_on between $1::date and $2::date)::int as opened,
              count(*) filter (where t.window_ends_on between $1::date and $2::date and t.confirmation <> 'pending')::int as window_ended,
              count(*) filter (where t.window_ends_on between $1::date and $2::date and t.confirmation = 'confirmed')::int as confirmed
         from win_back_tasks t
        where t.opened_on between $1::date and $2::date or t.window_ends_on between $1::date and $2::date
        group by t.agent_id`,
      [w.firstDay, w.s1],
    );
    return new Map(r.rows.map(({ agent_id, ...counts }) => [agent_id, counts]));
  }
}

import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { HotReadCache } from '../common/hot-read-cache';
import { PG_POOL } from '../database/database.module';

@Injectable()
export class ScopeRepository {
  /** every agent's current team, for the hot read path (see hot-read-cache.ts) */
  private readonly teams = new HotReadCache<'all', Map<string, string | null>>(async () => {
    const r = await this.pool.query<{ agent_id: string; team_id: string | null }>('select agent_id, team_id from agents');
    return new Map(r.rows.map((x) => [x.agent_id, x.team_id]));
  });

  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** The given teams and all their descendants (a team always includes its sub-teams). */
  async teamsWithDescendants(teamIds: readonly string[]): Promise<string[]> {
    if (!teamIds.length) return [];
    const r = await this.pool.query<{ team_id: string }>(
      `with recursive sub(team_id) as (
         select team_id from teams where team_id = any($1::text[])
         union
         select t.team_id from teams t join sub on t.parent_team_id = sub.team_id
       )
       select team_id from sub order by team_id`,
      [teamIds],
    );
    return r.rows.map((x) => x.team_id);
  }

  async agentTeam(agentId: string): Promise<string | null | undefined> {
    const r = await this.pool.query<{ team_id: string }>('select team_id from agents where agent_id = $1', [agentId]);
    return r.rowCount ? r.rows[0].team_id : undefined;
  }

  /**
   * agentTeam from a copy of every agent's team at most a second old, and never older than
   * this process's last import (hot-read-cache.ts): for the hottest read path only.
   */
  async agentTeamRecent(agentId: string): Promise<string | null | undefined> {
    const teams = await this.teams.get('all');
    return teams.has(agentId) ? teams.get(agentId) : undefined;
  }

  async teamExists(teamId: string): Promise<boolean> {
    const r = await this.pool.query('select 1 from teams where team_id = $1', [teamId]);
    return (r.rowCount ?? 0) > 0;
  }

  async customerOwnerNow(customerId: string, today: string): Promise<{ exists: boolean; ownerAgentId: string | null }> {
    const r = await this.pool.query<{ owner: string | null }>(
      `select (select a.agent_id from (
                 select agent_id, assigned_on from assignments where customer_id = c.customer_id
                 union all
                 select c.owner_agent_id, c.acquired_on where c.owner_agent_id is not null
                   and not exists (select 1 from assignments x where x.customer_id = c.customer_id and x.assigned_on = c.acquired_on)
               ) a where a.assigned_on <= $2::date order by a.assigned_on desc limit 1) as owner
         from customers c where c.customer_id = $1`,
      [customerId, today],
    );
    return r.rowCount ? { exists: true, ownerAgentId: r.rows[0].owner } : { exists: false, ownerAgentId: null };
  }
}

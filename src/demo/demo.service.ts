import { Inject, Injectable } from '@nestjs/common';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import type { Pool } from 'pg';
import { PG_POOL } from '../database/database.module';
import { generateDemoData } from '../demo-data/demo-data.generator';
import { IMPORT_ORDER, type ImportEntity } from '../imports/import-entities';
import type { ImportSummary } from '../imports/csv-importer';
import { ImportsService } from '../imports/imports.service';
import type { Role } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { PeriodsService } from '../periods/periods.service';
import { previousPeriod } from '../periods/domain/period';
import { SnapshotsRepository, type SnapshotHeader } from '../periods/snapshots.repository';
import { ProblemException } from '../common/problem-details';
import { SubscriptionsService } from '../delivery/subscriptions.service';
import type { SubscriptionScope } from '../delivery/subscription.entity';

export interface DemoOptions {
  dir: string;
  agents: number;
  customers: number;
  months: number;
  seed: string;
  endMonth: string;
}

export interface DemoUser {
  role: Role;
  email: string;
  password: string;
  agent_id: string | null;
  team_ids: string[];
}

/** The steps of `npm run demo`: data set → import → users → subscriptions → published history (the run itself is RunsService). */
@Injectable()
export class DemoService {
  constructor(
    private readonly imports: ImportsService,
    private readonly users: UsersService,
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly periods: PeriodsService,
    private readonly snapshots: SnapshotsRepository,
    private readonly subscriptions: SubscriptionsService,
  ) {}

  /**
   * Report subscriptions of the demo users: hr gets every PDF, the team lead their teams',
   * the agent their own (already subscribed ones are kept).
   */
  async subscribe(users: DemoUser[]): Promise<{ email: string; scope: SubscriptionScope; team_id: string | null }[]> {
    const wanted: { email: string; scope: SubscriptionScope; team_id: string | null }[] = [];
    for (const u of users) {
      if (u.role === 'hr') wanted.push({ email: u.email, scope: 'org', team_id: null });
      if (u.role === 'team_lead' && u.team_ids[0]) wanted.push({ email: u.email, scope: 'team', team_id: u.team_ids[0] });
      if (u.role === 'agent' && u.agent_id) wanted.push({ email: u.email, scope: 'self', team_id: null });
    }
    for (const w of wanted) {
      const { rows } = await this.pool.query<{ id: number }>('select id from users where lower(email) = lower($1)', [w.email]);
      const principal = rows[0] ? await this.users.principal(rows[0].id) : null;
      if (!principal) continue;
      try {
        await this.subscriptions.create(principal, { scope: w.scope, teamId: w.team_id ?? undefined });
      } catch (err) {
        if (!(err instanceof ProblemException && err.status === 409)) throw err;
      }
    }
    return wanted;
  }

  /** Publishes the months before `endMonth` (so the PDFs' 12-month trends have points); already published ones are kept. */
  async publishHistory(endMonth: string, months: number, onMonth?: (period: string, created: boolean) => void): Promise<void> {
    const periods: string[] = [];
    let p = endMonth;
    for (let i = 0; i < months; i++) {
      p = previousPeriod(p);
      periods.unshift(p);
    }
    for (const period of periods) {
      const { created } = await this.publish(period);
      onMonth?.(period, created);
    }
  }

  /** Publishes the last complete month unless it is published already (so scorecards show at once). */
  async publish(period: string): Promise<{ snapshot: SnapshotHeader; created: boolean }> {
    const existing = await this.snapshots.latest(period);
    if (existing) return { snapshot: existing, created: false };
    return { snapshot: await this.periods.publish(period, { reason: 'demo', by: 'demo' }), created: true };
  }

  /** Writes the data set unless the same one (same options) is already there. */
  async ensureDataSet(opts: DemoOptions, onProgress?: (done: number, total: number) => void): Promise<{ generated: boolean }> {
    const stamp = path.join(opts.dir, 'demo-options.json');
    const wanted = JSON.stringify({ agents: opts.agents, customers: opts.customers, months: opts.months, seed: opts.seed, endMonth: opts.endMonth });
    if (existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted) return { generated: false };
    await generateDemoData({ out: opts.dir, agents: opts.agents, customers: opts.customers, months: opts.months, seed: opts.seed, endMonth: opts.endMonth, onProgress });
    writeFileSync(stamp, wanted);
    return { generated: true };
  }

  async importDataSet(dir: string, onFile?: (entity: ImportEntity) => void): Promise<ImportSummary[]> {
    const out: ImportSummary[] = [];
    for (const entity of IMPORT_ORDER) {
      const file = path.join(dir, `${entity}.csv`);
      if (!existsSync(file)) continue;
      onFile?.(entity);
      out.push(await this.imports.importStream(entity, createReadStream(file), { source: `demo:${entity}.csv`, importedBy: 'demo' }));
    }
    return out;
  }

  /** Every agent id (the evaluation seeds pick those employed in the month). */
  async agentIds(): Promise<string[]> {
    const r = await this.pool.query<{ agent_id: string }>('select agent_id from agents order by agent_id');
    return r.rows.map((x) => x.agent_id);
  }

  /** One user per role; the team lead leads a team with sub-teams, the agent works in it. */
  async createUsers(): Promise<DemoUser[]> {
    const lead = await this.pool.query<{ team_id: string }>(
      `select p.team_id from teams p where exists (select 1 from teams c where c.parent_team_id = p.team_id)
         and p.parent_team_id is not null order by p.team_id limit 1`,
    );
    const leadTeam = lead.rows[0]?.team_id ?? null;
    const agent = await this.pool.query<{ agent_id: string }>(
      `with recursive sub(team_id) as (select $1::text collate "C" union select t.team_id from teams t join sub on t.parent_team_id = sub.team_id)
       select a.agent_id from agents a where a.team_id in (select team_id from sub) and a.left_on is null
       order by a.hired_on, a.agent_id limit 1`,
      [leadTeam],
    );
    const agentId = agent.rows[0]?.agent_id ?? null;
    const specs: DemoUser[] = [
      { role: 'admin', email: 'admin@demo.yardstick', password: 'demo-admin-pass', agent_id: null, team_ids: [] },
      { role: 'hr', email: 'hr@demo.yardstick', password: 'demo-hr-pass', agent_id: null, team_ids: [] },
      { role: 'manager', email: 'manager@demo.yardstick', password: 'demo-manager-pass', agent_id: null, team_ids: [] },
      { role: 'team_lead', email: 'lead@demo.yardstick', password: 'demo-lead-pass', agent_id: null, team_ids: leadTeam ? [leadTeam] : [] },
      { role: 'auditor', email: 'auditor@demo.yardstick', password: 'demo-auditor-pass', agent_id: null, team_ids: [] },
      { role: 'agent', email: 'agent@demo.yardstick', password: 'demo-agent-pass', agent_id: agentId, team_ids: [] },
    ];
    const created: DemoUser[] = [];
    for (const u of specs) {
      if (u.role === 'agent' && !u.agent_id) continue;
      await this.users.save({ email: u.email, password: u.password, role: u.role, agentId: u.agent_id, teamIds: u.team_ids }, { upsert: true });
      created.push(u);
    }
    return created;
  }
}

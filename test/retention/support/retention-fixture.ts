/**
 * A hand-made organisation for the retention tests, as of d = 2026-10-31 (ORG_TIMEZONE UTC).
 *
 * Teams: T-ROOT ⊃ T-A (agents A1, A2); T-B (agent A3). Background: 60 repeat customers B01…B60
 * of A3, each buying every (9 + k mod 23) days from its acquisition until a stop day (some stop
 * long before d), so that the predictive models can be fitted (≥ 50 repeat customers) on a
 * varied population. The edge customers of A1 carry one signal rule at its edge each (the
 * expected outcome is in their name and in EDGE_EXPECTATIONS); their order histories are short
 * so that P(alive) stays the models' business, not the edge's.
 *
 * Windows as of d: recent (d − 90, d] = 2026-08-03 … 2026-10-31; earlier (d − 180, d − 90] =
 * 2026-05-05 … 2026-08-02; "before" (d − 455, d − 90] = 2025-08-03 … 2026-08-02;
 * year (d − 365, d] = 2025-11-01 … 2026-10-31.
 */
import { Readable } from 'node:stream';
import type { INestApplication } from '@nestjs/common';
import { IMPORT_ORDER, type ImportEntity } from '../../../src/imports/import-entities';
import { ImportsService } from '../../../src/imports/imports.service';
import { addDays } from '../../../src/periods/domain/period';

export const D = '2026-10-31';
export const day = (n: number) => addDays(D, n);

type Row = Record<string, string | number | boolean | null>;

export class FixtureBuilder {
  readonly rows: Record<ImportEntity, Row[]> = {
    teams: [],
    agents: [],
    customers: [],
    assignments: [],
    orders: [],
    tickets: [],
    surveys: [],
    training: [],
  };
  private n = 0;

  customer(id: string, owner: string | null, acquiredOn: string, opts: { churnedOn?: string; name?: string } = {}): this {
    this.rows.customers.push({ customer_id: id, name: opts.name ?? `Customer ${id}`, segment: null, acquired_on: acquiredOn, churned_on: opts.churnedOn ?? null, owner_agent_id: owner });
    return this;
  }

  order(customer: string, on: string, amount = 50, status = 'completed'): this {
    this.rows.orders.push({ order_id: `O${++this.n}`, customer_id: customer, ordered_at: `${on}T12:00:00Z`, amount: amount.toFixed(2), gross_margin: null, status });
    return this;
  }

  ticket(customer: string, agent: string, openedAt: string, opts: { complaint?: boolean; category?: string; controllable?: boolean | null } = {}): this {
    const at = openedAt.includes('T') ? openedAt : `${openedAt}T10:00:00Z`;
    this.rows.tickets.push({
      ticket_id: `K${++this.n}`,
      customer_id: customer,
      agent_id: agent,
      team_id: null,
      channel: 'phone',
      category: null,
      opened_at: at,
      first_response_at: null,
      resolved_at: null,
      contact_count: 1,
      reopened: false,
      handle_seconds: null,
      is_complaint: !!opts.complaint,
      complaint_category: opts.complaint ? (opts.category ?? 'pricing') : null,
      complaint_controllable: opts.complaint && opts.controllable !== undefined ? opts.controllable : null,
    });
    return this;
  }

  survey(customer: string, agent: string, respondedAt: string, s: { csat?: number; nps?: number; ces?: number }): this {
    const at = respondedAt.includes('T') ? respondedAt : `${respondedAt}T10:00:00Z`;
    this.rows.surveys.push({ survey_id: `S${++this.n}`, customer_id: customer, agent_id: agent, ticket_id: null, responded_at: at, csat: s.csat ?? null, nps: s.nps ?? null, ces: s.ces ?? null });
    return this;
  }

  assignment(customer: string, agent: string, on: string): this {
    this.rows.assignments.push({ customer_id: customer, agent_id: agent, assigned_on: on });
    return this;
  }

  csv(entity: ImportEntity): string | null {
    const rows = this.rows[entity];
    if (!rows.length) return null;
    const cols = Object.keys(rows[0]);
    const cell = (v: Row[string]) => (v === null ? '' : String(v).replace(/"/g, '""')).replace(/^(.*[",\n].*)$/s, '"$1"');
    return [cols.join(','), ...rows.map((r) => cols.map((c) => cell(r[c])).join(','))].join('\n') + '\n';
  }

  async importInto(app: INestApplication): Promise<void> {
    const svc = app.get(ImportsService);
    for (const e of IMPORT_ORDER) {
      const text = this.csv(e);
      if (text) await svc.importStream(e, Readable.from([Buffer.from(text)]), { source: `retention-fixture/${e}.csv`, importedBy: 'test' });
    }
  }
}

/** Every purchase day from `from` to `to` stepping `every` days. */
function buyEvery(b: FixtureBuilder, customer: string, from: string, to: string, every: number, amount: number): void {
  for (let on = from; on <= to; on = addDays(on, every)) b.order(customer, on, amount);
}

/** What the list must say about each edge customer's signal (true: fires; false: does not). */
export const EDGE_EXPECTATIONS: Record<string, Partial<Record<'frequency_drop' | 'rising_complaints' | 'falling_contact' | 'unhappy', boolean>>> = {
  FD_HALF: { frequency_drop: false },
  FD_BELOW: { frequency_drop: true },
  FD_ONE: { frequency_drop: false },
  FD_EDGE90: { frequency_drop: true },
  FD_EDGE89: { frequency_drop: false },
  FD_EDGE455: { frequency_drop: false },
  FD_EDGE454: { frequency_drop: true },
  RC_YES: { rising_complaints: true },
  RC_EQUAL: { rising_complaints: false },
  RC_ONE: { rising_complaints: false },
  RC_MIDNIGHT: { rising_complaints: true },
  RC_BEFORE_MIDNIGHT: { rising_complaints: false },
  FC_HALF: { falling_contact: true },
  FC_THREE: { falling_contact: false },
  FC_MORE: { falling_contact: false },
  UH_CSAT: { unhappy: true },
  UH_NPS: { unhappy: true },
  UH_OK: { unhappy: false },
  UH_OLD: { unhappy: false },
};

export function retentionFixture(): FixtureBuilder {
  const b = new FixtureBuilder();
  b.rows.teams.push({ team_id: 'T-ROOT', name: 'Root', parent_team_id: null }, { team_id: 'T-A', name: 'Team A', parent_team_id: 'T-ROOT' }, { team_id: 'T-B', name: 'Team B', parent_team_id: null });
  for (const [id, team] of [
    ['A1', 'T-A'],
    ['A2', 'T-A'],
    ['A3', 'T-B'],
  ]) {
    b.rows.agents.push({ agent_id: id, name: `Agent ${id}`, email: `${id.toLowerCase()}@example.com`, team_id: team, title: null, hired_on: '2024-01-01', left_on: null });
  }

  // background: 60 repeat customers of A3 (some stopped buying long ago: the models need both)
  for (let k = 1; k <= 60; k++) {
    const id = `B${String(k).padStart(2, '0')}`;
    const start = addDays('2024-11-01', k * 3);
    const stop = k % 4 === 0 ? addDays(D, -(200 + k * 5)) : addDays(D, -(k % 17));
    b.customer(id, 'A3', start);
    buyEvery(b, id, start, stop, 9 + (k % 23), 20 + (k % 7) * 10);
  }

  // --- frequency_drop: before = purchase days in (d − 455, d − 90]; recent in (d − 90, d] ---
  // exactly half: 73 before, 9 recent: expected 18, half 9 — "fewer than half" does not hold
  b.customer('FD_HALF', 'A1', '2025-01-01');
  for (let i = 0; i < 73; i++) b.order('FD_HALF', day(-91 - i * 5));
  for (let i = 0; i < 9; i++) b.order('FD_HALF', day(-i * 9));
  // one fewer: 8 < 9 fires, expected 73 × 90 / 365 = 18
  b.customer('FD_BELOW', 'A1', '2025-01-01');
  for (let i = 0; i < 73; i++) b.order('FD_BELOW', day(-91 - i * 5));
  for (let i = 0; i < 8; i++) b.order('FD_BELOW', day(-i * 9));
  // one purchase day before: the ≥ 2 floor keeps it quiet
  b.customer('FD_ONE', 'A1', '2025-01-01').order('FD_ONE', day(-100));
  // d − 90 is the last day of "before", d − 89 the first of "recent"
  b.customer('FD_EDGE90', 'A1', '2025-01-01').order('FD_EDGE90', day(-90)).order('FD_EDGE90', day(-200));
  b.customer('FD_EDGE89', 'A1', '2025-01-01').order('FD_EDGE89', day(-89)).order('FD_EDGE89', day(-200)).order('FD_EDGE89', day(-300));
  // d − 455 is outside "before", d − 454 inside
  b.customer('FD_EDGE455', 'A1', '2025-01-01').order('FD_EDGE455', day(-455)).order('FD_EDGE455', day(-100));
  b.customer('FD_EDGE454', 'A1', '2025-01-01').order('FD_EDGE454', day(-454)).order('FD_EDGE454', day(-100));

  // --- rising_complaints: recent ≥ 2 and more than earlier ---
  const complaints = (id: string, recent: string[], earlier: string[]) => {
    b.customer(id, 'A1', day(-30)); // acquired within 180 days: active without orders
    for (const at of recent) b.ticket(id, 'A1', at, { complaint: true });
    for (const at of earlier) b.ticket(id, 'A1', at, { complaint: true });
  };
  complaints('RC_YES', [day(-1), day(-50)], [day(-120)]);
  complaints('RC_EQUAL', [day(-1), day(-50)], [day(-120), day(-150)]);
  complaints('RC_ONE', [day(-1)], []);
  // local midnight of d − 89 belongs to the recent window, one second before to the earlier one
  complaints('RC_MIDNIGHT', [`${day(-89)}T00:00:00Z`, day(-5)], [day(-100)]);
  complaints('RC_BEFORE_MIDNIGHT', [day(-5), day(-6)], [`${day(-90)}T23:59:59Z`, day(-100)]);
  // a plain ticket is no complaint
  b.ticket('RC_BEFORE_MIDNIGHT', 'A1', day(-3));

  // --- falling_contact: recent tickets + surveys ≤ half of earlier, earlier ≥ 4 ---
  b.customer('FC_HALF', 'A1', day(-170));
  for (const at of [day(-100), day(-110), day(-120)]) b.ticket('FC_HALF', 'A1', at);
  b.survey('FC_HALF', 'A1', day(-130), { csat: 5 });
  b.ticket('FC_HALF', 'A1', day(-10)).survey('FC_HALF', 'A1', day(-20), { csat: 4 });
  b.customer('FC_THREE', 'A1', day(-170));
  for (const at of [day(-100), day(-110), day(-120)]) b.ticket('FC_THREE', 'A1', at);
  b.customer('FC_MORE', 'A1', day(-170));
  for (const at of [day(-100), day(-110), day(-120), day(-130)]) b.ticket('FC_MORE', 'A1', at);
  for (const at of [day(-1), day(-2), day(-3)]) b.ticket('FC_MORE', 'A1', at);

  // --- unhappy: a recent survey with csat ≤ 2 or nps ≤ 6 ---
  b.customer('UH_CSAT', 'A1', day(-30)).survey('UH_CSAT', 'A1', day(-3), { csat: 2, nps: 8 });
  b.customer('UH_NPS', 'A1', day(-30)).survey('UH_NPS', 'A1', day(-89), { csat: 5, nps: 6 }).survey('UH_NPS', 'A1', day(-2), { nps: 3 });
  b.customer('UH_OK', 'A1', day(-30)).survey('UH_OK', 'A1', day(-3), { csat: 3, nps: 7 });
  b.customer('UH_OLD', 'A1', day(-170)).survey('UH_OLD', 'A1', day(-90), { csat: 1 });

  // --- low_p_alive: bought every 3 days, then nothing for 170 days (still active: an order within 180) ---
  b.customer('LOW_ALIVE', 'A1', '2025-06-01');
  buyEvery(b, 'LOW_ALIVE', '2025-06-01', day(-170), 3, 40);
  b.ticket('LOW_ALIVE', 'A1', day(-300), { complaint: true, category: 'core_service_failure', controllable: true });

  // --- lost in 2026-11 (churned_on in P), each with one complaint before p1 (churn_controllable_share) ---
  for (const [id, churned, controllable] of [
    ['CH_REC', '2026-11-15', false],
    ['CH_INF', '2026-11-20', false],
    ['CH_UNKNOWN', '2026-11-20', null],
    ['CH_LATE', '2026-11-10', false],
  ] as const) {
    b.customer(id, 'A1', '2025-01-01', { churnedOn: churned }).order(id, day(-30));
    b.ticket(id, 'A1', day(-50), { complaint: true, category: 'pricing', controllable });
  }

  // --- ownership history: owned by A1 until A2 took it over before d; A1 again only after d ---
  b.customer('OWN_MOVED', 'A1', '2025-01-01').order('OWN_MOVED', day(-10));
  b.assignment('OWN_MOVED', 'A2', day(-20)).assignment('OWN_MOVED', 'A1', day(1));
  // not active on d: churned (and one lapsed) — never listed
  b.customer('GONE_CHURNED', 'A1', '2025-01-01', { churnedOn: D }).order('GONE_CHURNED', day(-5));
  b.customer('GONE_LAPSED', 'A1', '2025-01-01').order('GONE_LAPSED', day(-180));
  b.customer('STILL_ACTIVE', 'A1', '2025-01-01').order('STILL_ACTIVE', day(-179));

  // --- a key customer at high risk: the biggest spender, with rising complaints and an unhappy survey ---
  b.customer('VIP', 'A2', '2024-11-01', { name: 'Very Important' });
  buyEvery(b, 'VIP', '2024-11-01', day(-7), 7, 900);
  b.ticket('VIP', 'A2', day(-4), { complaint: true, category: 'service_encounter', controllable: true });
  b.ticket('VIP', 'A2', day(-40), { complaint: true, category: 'pricing', controllable: false });
  b.survey('VIP', 'A2', day(-3), { csat: 1, nps: 2 });
  // two identical big spenders (equal CLV: a tie), owned by A2, quiet
  for (const id of ['TWIN1', 'TWIN2']) {
    b.customer(id, 'A2', '2024-11-01');
    buyEvery(b, id, '2024-11-01', day(-3), 7, 700);
  }
  // many complaints in the last year, a small customer: not worth pursuing
  b.customer('NOT_WORTH', 'A1', day(-170)).order('NOT_WORTH', day(-100), 1);
  for (let i = 0; i < 6; i++) b.ticket('NOT_WORTH', 'A1', day(-10 - i * 50), { complaint: true });
  return b;
}

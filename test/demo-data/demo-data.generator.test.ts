import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  COMPLAINT_CATEGORIES,
  DEMO_FILES,
  generateDemoData,
  type DemoDataOptions,
  type DemoDataResult,
  type DemoFileName,
} from '../../src/demo-data/demo-data.generator';
import { Random } from '../../src/demo-data/random';

type Row = Record<string, string>;

/** RFC 4180 parser: quoted fields with "" escapes, commas and line breaks inside quotes. */
function parseCsv(text: string): { header: string[]; rows: Row[] } {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"') {
      if (field !== '') throw new Error(`stray quote in field at offset ${i}`);
      quoted = true;
    } else if (ch === ',') {
      record.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += ch;
  }
  if (quoted) throw new Error('unterminated quoted field');
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  const [header, ...data] = records;
  const rows = data.map((values, n) => {
    if (values.length !== header.length) throw new Error(`line ${n + 2}: ${values.length} fields, expected ${header.length}`);
    const row: Row = {};
    header.forEach((column, k) => (row[column] = values[k]));
    return row;
  });
  return { header, rows };
}

const TS_RE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})?)?$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const MONEY_RE = /^\d+(\.\d{1,2})?$/;
const BOOL_VALUES = new Set(['true', 'false', '1', '0', 'yes', 'no']);

/** Instant in ms; timestamps without an offset are read as UTC (the default ORG_TIMEZONE). */
function instant(ts: string): number {
  const full = ts.includes('T') ? ts : `${ts}T00:00:00`;
  const ms = Date.parse(/(Z|[+-]\d{2}:\d{2})$/.test(full) ? full : `${full}Z`);
  if (!TS_RE.test(ts) || !Number.isFinite(ms)) throw new Error(`bad timestamp ${JSON.stringify(ts)}`);
  return ms;
}

function day(date: string): string {
  if (!DATE_RE.test(date) || new Date(`${date}T00:00:00Z`).toISOString().slice(0, 10) !== date) {
    throw new Error(`bad date ${JSON.stringify(date)}`);
  }
  return date;
}

function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function truthy(value: string): boolean {
  const v = value.toLowerCase();
  if (v !== '' && !BOOL_VALUES.has(v)) throw new Error(`bad boolean ${JSON.stringify(value)}`);
  return v === 'true' || v === '1' || v === 'yes';
}

function hashes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const file of Object.keys(DEMO_FILES)) {
    out[file] = createHash('sha256').update(readFileSync(path.join(dir, file))).digest('hex');
  }
  return out;
}

function uniqueIds(rows: Row[], column: string): Set<string> {
  const ids = new Set<string>();
  const bad: string[] = [];
  for (const row of rows) {
    const id = row[column];
    if (id.length < 1 || id.length > 64 || ids.has(id)) bad.push(id);
    ids.add(id);
  }
  expect(bad).toEqual([]);
  return ids;
}

describe('generateDemoData', () => {
  const base: Omit<DemoDataOptions, 'out'> = { agents: 30, customers: 2000, months: 12, seed: 'jest-seed', endMonth: '2025-06' };
  const dirs: string[] = [];
  const tempDir = (): string => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ys-demo-data-'));
    dirs.push(dir);
    return dir;
  };
  let dirA: string;
  let result: DemoDataResult;
  let progress: [number, number][];
  const data = {} as Record<DemoFileName, { header: string[]; rows: Row[] }>;

  beforeAll(async () => {
    dirA = tempDir();
    progress = [];
    result = await generateDemoData({ ...base, out: path.join(dirA, 'nested', 'out'), onProgress: (d, t) => progress.push([d, t]) });
    dirA = path.join(dirA, 'nested', 'out');
    for (const file of Object.keys(DEMO_FILES) as DemoFileName[]) {
      data[file] = parseCsv(readFileSync(path.join(dirA, file), 'utf8'));
    }
  });

  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('reports the span, row counts and progress', () => {
    expect(result.from).toBe('2024-07-01');
    expect(result.to).toBe('2025-06-30');
    for (const file of Object.keys(DEMO_FILES) as DemoFileName[]) {
      expect(result.files[file]).toBe(data[file].rows.length);
      expect(result.files[file]).toBeGreaterThan(0);
    }
    expect(result.files['agents.csv']).toBe(30);
    expect(result.files['customers.csv']).toBe(2000);
    expect(progress[progress.length - 1]).toEqual([2000, 2000]);
  });

  it('is deterministic: same options give the same bytes, another seed other bytes', async () => {
    const again = tempDir();
    await generateDemoData({ ...base, out: again });
    expect(hashes(again)).toEqual(hashes(dirA));
    const numericSeed = tempDir();
    await generateDemoData({ ...base, seed: 7, out: numericSeed });
    const other = hashes(numericSeed);
    const mine = hashes(dirA);
    for (const file of ['agents.csv', 'customers.csv', 'orders.csv', 'tickets.csv', 'surveys.csv', 'training.csv']) {
      expect(other[file]).not.toBe(mine[file]);
    }
  });

  it('writes exactly the contract columns, as UTF-8 without BOM', () => {
    for (const file of Object.keys(DEMO_FILES) as DemoFileName[]) {
      expect(data[file].header).toEqual([...DEMO_FILES[file]]);
    }
    expect(readFileSync(path.join(dirA, 'teams.csv'))[0]).not.toBe(0xef);
  });

  it('has unique ids in every file', () => {
    uniqueIds(data['teams.csv'].rows, 'team_id');
    uniqueIds(data['agents.csv'].rows, 'agent_id');
    uniqueIds(data['customers.csv'].rows, 'customer_id');
    uniqueIds(data['orders.csv'].rows, 'order_id');
    uniqueIds(data['tickets.csv'].rows, 'ticket_id');
    uniqueIds(data['surveys.csv'].rows, 'survey_id');
    uniqueIds(data['training.csv'].rows, 'training_id');
    const keys = data['assignments.csv'].rows.map((r) => ({ key: `${r.customer_id}|${r.assigned_on}` }));
    uniqueIds(keys, 'key');
  });

  it('builds a team hierarchy of at least 3 levels without cycles, agents in leaf teams', () => {
    const parent = new Map(data['teams.csv'].rows.map((r) => [r.team_id, r.parent_team_id]));
    const depth = (id: string): number => {
      const seen = new Set<string>();
      let d = 1;
      for (let p = parent.get(id); p; p = parent.get(p)) {
        expect(parent.has(p)).toBe(true);
        expect(seen.has(p)).toBe(false);
        seen.add(p);
        d++;
      }
      return d;
    };
    const depths = [...parent.keys()].map(depth);
    expect(Math.max(...depths)).toBeGreaterThanOrEqual(3);
    for (const r of data['teams.csv'].rows) expect(r.name.length).toBeGreaterThan(0);
    expect(data['teams.csv'].rows.some((r) => /[\u4e00-\u9fff]/.test(r.name)) || data['agents.csv'].rows.some((r) => /[\u4e00-\u9fff]/.test(r.name))).toBe(true);
    const parents = new Set(parent.values());
    for (const a of data['agents.csv'].rows) {
      expect(parent.has(a.team_id)).toBe(true);
      expect(parents.has(a.team_id)).toBe(false);
    }
  });

  it('has valid agents: dates, unique e-mails, some who left and some who moved', () => {
    const agents = data['agents.csv'].rows;
    const emails = agents.map((a) => a.email).filter((e) => e !== '');
    expect(new Set(emails.map((e) => e.toLowerCase())).size).toBe(emails.length);
    for (const a of agents) {
      expect(a.name.length).toBeGreaterThan(0);
      day(a.hired_on);
      if (a.left_on) expect(day(a.left_on) >= a.hired_on).toBe(true);
    }
    expect(agents.some((a) => a.left_on !== '')).toBe(true);
    expect(agents.some((a) => a.hired_on < result.from)).toBe(true);
    expect(agents.some((a) => a.hired_on >= result.from)).toBe(true);
    // A move shows as tickets carrying a team other than the agent's current one.
    const current = new Map(agents.map((a) => [a.agent_id, a.team_id]));
    expect(data['tickets.csv'].rows.some((t) => t.team_id !== '' && t.team_id !== current.get(t.agent_id))).toBe(true);
  });

  it('references only existing records, with owners employed when assigned', () => {
    const teams = new Set(data['teams.csv'].rows.map((r) => r.team_id));
    const agents = new Map(data['agents.csv'].rows.map((r) => [r.agent_id, r]));
    const customers = new Map(data['customers.csv'].rows.map((r) => [r.customer_id, r]));
    const tickets = new Map(data['tickets.csv'].rows.map((r) => [r.ticket_id, r]));
    const employedOn = (agentId: string, date: string): boolean => {
      const a = agents.get(agentId);
      return a !== undefined && a.hired_on <= date && (a.left_on === '' || date <= a.left_on);
    };
    for (const a of agents.values()) expect(teams.has(a.team_id)).toBe(true);
    for (const c of customers.values()) {
      day(c.acquired_on);
      if (c.churned_on) expect(day(c.churned_on) > c.acquired_on).toBe(true);
      if (c.owner_agent_id) expect(employedOn(c.owner_agent_id, c.acquired_on)).toBe(true);
    }
    for (const r of data['assignments.csv'].rows) {
      expect(customers.has(r.customer_id)).toBe(true);
      expect(employedOn(r.agent_id, day(r.assigned_on))).toBe(true);
      expect(r.assigned_on >= customers.get(r.customer_id)!.acquired_on).toBe(true);
    }
    for (const o of data['orders.csv'].rows) expect(customers.has(o.customer_id)).toBe(true);
    for (const t of tickets.values()) {
      expect(customers.has(t.customer_id)).toBe(true);
      expect(employedOn(t.agent_id, utcDay(instant(t.opened_at)))).toBe(true);
      if (t.team_id) expect(teams.has(t.team_id)).toBe(true);
    }
    for (const s of data['surveys.csv'].rows) {
      expect(customers.has(s.customer_id)).toBe(true);
      expect(agents.has(s.agent_id)).toBe(true);
      if (s.ticket_id) {
        const t = tickets.get(s.ticket_id);
        expect(t).toBeDefined();
        expect(t!.customer_id).toBe(s.customer_id);
        expect(instant(s.responded_at)).toBeGreaterThan(instant(t!.opened_at));
      }
    }
    for (const r of data['training.csv'].rows) expect(agents.has(r.agent_id)).toBe(true);
  });

  it('reassigns portfolios and churns customers, explicitly and by inactivity', () => {
    const customers = data['customers.csv'].rows;
    const assignments = data['assignments.csv'].rows;
    const owner = new Map(customers.map((c) => [c.customer_id, c.owner_agent_id]));
    expect(assignments.some((a) => owner.get(a.customer_id) !== '' && owner.get(a.customer_id) !== a.agent_id)).toBe(true);
    expect(customers.some((c) => c.owner_agent_id === '')).toBe(true);
    expect(customers.filter((c) => c.owner_agent_id !== '').length / customers.length).toBeGreaterThan(0.9);
    expect(customers.some((c) => c.acquired_on < result.from)).toBe(true);
    const churned = customers.filter((c) => c.churned_on !== '');
    expect(churned.length).toBeGreaterThan(0);
    // Explicitly churned customers buy nothing after churned_on.
    const churnedOn = new Map(churned.map((c) => [c.customer_id, c.churned_on]));
    for (const o of data['orders.csv'].rows) {
      const c = churnedOn.get(o.customer_id);
      if (c) expect(utcDay(instant(o.ordered_at)) < c).toBe(true);
    }
    // Inactivity churn: customers without any completed order in the last 180 days of the span.
    const lastOrder = new Map<string, string>();
    for (const o of data['orders.csv'].rows) {
      const d = utcDay(instant(o.ordered_at));
      if (['', 'completed'].includes(o.status.toLowerCase()) && d > (lastOrder.get(o.customer_id) ?? '')) lastOrder.set(o.customer_id, d);
    }
    const inactive = customers.filter((c) => !c.churned_on && (lastOrder.get(c.customer_id) ?? '9999') < '2025-01-01' && c.acquired_on < '2025-01-01');
    expect(inactive.length).toBeGreaterThan(0);
  });

  it('writes orders with exact money, statuses in any case, margins sometimes', () => {
    const orders = data['orders.csv'].rows;
    const statuses = new Set<string>();
    for (const o of orders) {
      expect(o.amount).toMatch(MONEY_RE);
      if (o.gross_margin) expect(o.gross_margin).toMatch(MONEY_RE);
      expect(['', 'completed', 'refunded', 'cancelled']).toContain(o.status.toLowerCase());
      statuses.add(o.status);
      expect(instant(o.ordered_at)).toBeLessThan(Date.parse('2025-07-01T00:00:00Z'));
    }
    for (const s of ['', 'completed', 'refunded', 'cancelled', 'Completed']) expect(statuses).toContain(s);
    expect(orders.some((o) => o.amount === '0')).toBe(true);
    expect(orders.some((o) => o.gross_margin === '')).toBe(true);
    expect(orders.some((o) => o.gross_margin !== '')).toBe(true);
    expect(orders.some((o) => /\.\d\d$/.test(o.amount))).toBe(true);
    const forms = new Set(orders.map((o) => (o.ordered_at.endsWith('Z') ? 'Z' : o.ordered_at.endsWith('+08:00') ? '+08' : 'local')));
    expect([...forms].sort()).toEqual(['+08', 'Z', 'local']);
  });

  it('writes consistent tickets with every channel and complaint category', () => {
    const tickets = data['tickets.csv'].rows;
    const channels = new Set<string>();
    const categories = new Set<string>();
    const controllable = new Set<string>();
    let open = 0;
    let lateResponse = 0;
    let noResponse = 0;
    for (const t of tickets) {
      channels.add(t.channel.toLowerCase());
      const opened = instant(t.opened_at);
      if (t.first_response_at) {
        const first = instant(t.first_response_at);
        expect(first).toBeGreaterThanOrEqual(opened);
        if (first - opened > 3_600_000) lateResponse++;
      } else noResponse++;
      if (t.resolved_at) expect(instant(t.resolved_at)).toBeGreaterThanOrEqual(opened);
      else open++;
      expect(Number(t.contact_count)).toBeGreaterThanOrEqual(1);
      expect(Number(t.contact_count)).toBeLessThanOrEqual(4);
      expect(t.contact_count).toMatch(/^\d+$/);
      truthy(t.reopened);
      if (t.handle_seconds) expect(t.handle_seconds).toMatch(/^\d+$/);
      if (truthy(t.is_complaint)) {
        expect(COMPLAINT_CATEGORIES).toContain(t.complaint_category.toLowerCase());
        categories.add(t.complaint_category.toLowerCase());
        controllable.add(t.complaint_controllable === '' ? 'unknown' : String(truthy(t.complaint_controllable)));
      } else {
        expect(t.complaint_category).toBe('');
      }
    }
    expect([...channels].sort()).toEqual(['chat', 'email', 'in_person', 'phone', 'social']);
    expect([...categories].sort()).toEqual([...COMPLAINT_CATEGORIES].sort());
    expect([...controllable].sort()).toEqual(['false', 'true', 'unknown']);
    expect(open).toBeGreaterThan(0);
    expect(lateResponse).toBeGreaterThan(0);
    expect(noResponse).toBeGreaterThan(0);
    expect(tickets.some((t) => truthy(t.reopened))).toBe(true);
    expect(tickets.some((t) => t.handle_seconds === '')).toBe(true);
    expect(tickets.some((t) => t.team_id === '')).toBe(true);
  });

  it('gives customers who churn more complaints than those who keep buying', () => {
    const churned = new Set(data['customers.csv'].rows.filter((c) => c.churned_on).map((c) => c.customer_id));
    const recentBuyers = new Set(
      data['orders.csv'].rows.filter((o) => utcDay(instant(o.ordered_at)) >= '2025-05-01' && !o.status).map((o) => o.customer_id),
    );
    const share = (rows: Row[]): number => rows.filter((t) => truthy(t.is_complaint)).length / rows.length;
    const tickets = data['tickets.csv'].rows;
    const ofChurned = tickets.filter((t) => churned.has(t.customer_id));
    const ofBuyers = tickets.filter((t) => recentBuyers.has(t.customer_id) && !churned.has(t.customer_id));
    expect(ofChurned.length).toBeGreaterThan(20);
    expect(share(ofChurned)).toBeGreaterThan(2 * share(ofBuyers));
  });

  it('writes partial surveys with at least one value in range', () => {
    const surveys = data['surveys.csv'].rows;
    const combos = new Set<string>();
    for (const s of surveys) {
      expect(s.csat || s.nps || s.ces).toBeTruthy();
      combos.add(`${s.csat ? 'c' : ''}${s.nps ? 'n' : ''}${s.ces ? 'e' : ''}`);
      if (s.csat) expect(Number(s.csat)).toBeGreaterThanOrEqual(1);
      if (s.csat) expect(Number(s.csat)).toBeLessThanOrEqual(5);
      if (s.nps) expect(Number(s.nps)).toBeGreaterThanOrEqual(0);
      if (s.nps) expect(Number(s.nps)).toBeLessThanOrEqual(10);
      if (s.ces) expect(Number(s.ces)).toBeGreaterThanOrEqual(1);
      if (s.ces) expect(Number(s.ces)).toBeLessThanOrEqual(7);
      instant(s.responded_at);
    }
    expect(combos.size).toBe(7);
    expect(surveys.some((s) => s.ticket_id === '')).toBe(true);
    expect(surveys.filter((s) => s.ticket_id !== '').length).toBeGreaterThan(surveys.length / 2);
  });

  it('writes training with positive decimal hours', () => {
    for (const r of data['training.csv'].rows) {
      expect(r.hours).toMatch(/^\d+(\.\d+)?$/);
      expect(Number(r.hours)).toBeGreaterThan(0);
      day(r.completed_on);
    }
    expect(data['training.csv'].rows.some((r) => r.hours.includes('.'))).toBe(true);
  });

  it('quotes names with commas and quotes', () => {
    const raw = ['agents.csv', 'customers.csv', 'teams.csv', 'training.csv'].map((f) => readFileSync(path.join(dirA, f), 'utf8')).join('');
    expect(raw).toMatch(/"[^"\n]*,[^"\n]*"/);
    expect(raw).toContain('""');
  });

  it('works for tiny sizes and rejects bad options', async () => {
    const dir = tempDir();
    const tiny = await generateDemoData({ out: dir, agents: 1, customers: 3, months: 1, seed: 1, endMonth: '2024-02' });
    expect(tiny.files['agents.csv']).toBe(1);
    expect(tiny.files['teams.csv']).toBeGreaterThanOrEqual(3);
    expect(tiny.to).toBe('2024-02-29');
    await expect(generateDemoData({ out: dir, agents: 1, customers: 1, months: 1, seed: 1, endMonth: '2024-13' })).rejects.toThrow(/endMonth/);
    await expect(generateDemoData({ out: dir, agents: 0, customers: 1, months: 1, seed: 1, endMonth: '2024-01' })).rejects.toThrow(/agents/);
  });
});

describe('Random', () => {
  it('is reproducible and seed-sensitive', () => {
    const a = new Random('x');
    const b = new Random('x');
    const c = new Random('y');
    const sa = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(sa);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(sa);
  });

  it('draws from distributions with the right means', () => {
    const rng = new Random('moments');
    const n = 20000;
    const mean = (f: () => number): number => {
      let s = 0;
      for (let i = 0; i < n; i++) s += f();
      return s / n;
    };
    expect(mean(() => rng.gamma(0.4, 4))).toBeCloseTo(0.1, 1);
    expect(mean(() => rng.gamma(6, 0.5))).toBeCloseTo(12, 0);
    expect(mean(() => rng.beta(0.7, 2.6))).toBeCloseTo(0.7 / 3.3, 1);
    expect(mean(() => rng.poisson(3))).toBeCloseTo(3, 0);
    expect(mean(() => rng.exponential(2))).toBeCloseTo(0.5, 1);
    expect(mean(() => rng.normal(1, 2))).toBeCloseTo(1, 0);
    for (let i = 0; i < 1000; i++) {
      const k = rng.int(2, 5);
      expect(k >= 2 && k <= 5 && Number.isInteger(k)).toBe(true);
    }
  });
});

/**
 * Deterministic demo-data generator: writes the eight CSV files of the data contract
 * (shared/spec/data-contract.md) for an organisation of any size.
 *
 * Pure Node (no database, no Nest). Everything derives from the options: the seed drives a
 * seeded PRNG (./random.ts) and every date is computed from `endMonth` and `months`, so the
 * same options give byte-identical files.
 *
 * Memory stays bounded: teams and agents are held in small arrays (O(agents)); customers are
 * simulated one at a time — ownership history, purchases, tickets and surveys of one customer —
 * and their rows are streamed to the files with back-pressure. Nothing grows with the number of
 * orders.
 *
 * Realism, in short (details at each step):
 * - a 3-level team hierarchy (departments → regional groups → teams, ~20 agents per team);
 *   agents join over time (team leads long before), some leave, some move teams;
 * - purchases follow BG/NBD (Fader, Hardie & Lee 2005): per customer a Poisson purchase rate
 *   λ ~ Gamma(r, α) per week and, after every repeat purchase, a dropout with p ~ Beta(a, b);
 *   spend per purchase follows Gamma-Gamma (z ~ Gamma(p, ν), ν ~ Gamma(q, γ));
 * - customers who drop out complain more just before they stop buying, rate surveys lower, and
 *   some of them cancel explicitly (churned_on);
 * - portfolios move when their agent leaves, and now and then at random.
 *
 * Timestamps: most are written in UTC with `Z`; some without an offset and some with `+08:00`.
 * The offset-less ones carry the UTC wall-clock time, so under the default ORG_TIMEZONE=UTC
 * all three forms denote exactly the instant the simulation produced. All timestamps of one
 * ticket row share one form, so `first_response_at ≥ opened_at` holds in any time zone.
 */
import { COMPLAINT_CATEGORIES } from '../kpis/domain/kpi-catalogue';
import { once } from 'node:events';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import {
  AGENT_TITLES,
  companyName,
  COURSES,
  departmentName,
  ONBOARDING_COURSE,
  personName,
  regionName,
  SEGMENTS,
  TEAM_LEAD_TITLES,
  teamName,
  TICKET_CATEGORIES,
} from './names';
import { Random } from './random';

export interface DemoDataOptions {
  /** output folder, created when missing */
  out: string;
  agents: number;
  customers: number;
  /** number of calendar months of activity, ending with `endMonth` */
  months: number;
  seed: string | number;
  /** 'YYYY-MM': the last month included */
  endMonth: string;
  /** called now and then with the number of customers simulated so far */
  onProgress?: (done: number, total: number) => void;
}

export interface DemoDataResult {
  /** file name → data rows written (header excluded) */
  files: Record<string, number>;
  /** first day of the simulated span, YYYY-MM-DD */
  from: string;
  /** last day of the simulated span, YYYY-MM-DD */
  to: string;
}

/** The contract's columns per file, in the contract's import order. */
export const DEMO_FILES = {
  'teams.csv': ['team_id', 'name', 'parent_team_id'],
  'agents.csv': ['agent_id', 'name', 'email', 'team_id', 'title', 'hired_on', 'left_on'],
  'customers.csv': ['customer_id', 'name', 'segment', 'acquired_on', 'churned_on', 'owner_agent_id'],
  'assignments.csv': ['customer_id', 'agent_id', 'assigned_on'],
  'orders.csv': ['order_id', 'customer_id', 'ordered_at', 'amount', 'gross_margin', 'status'],
  'tickets.csv': [
    'ticket_id', 'customer_id', 'agent_id', 'team_id', 'channel', 'category', 'opened_at',
    'first_response_at', 'resolved_at', 'contact_count', 'reopened', 'handle_seconds',
    'is_complaint', 'complaint_category', 'complaint_controllable',
  ],
  'surveys.csv': ['survey_id', 'customer_id', 'agent_id', 'ticket_id', 'responded_at', 'csat', 'nps', 'ces'],
  'training.csv': ['training_id', 'agent_id', 'completed_on', 'hours', 'course'],
} as const satisfies Record<string, readonly string[]>;

export type DemoFileName = keyof typeof DEMO_FILES;

/** The data contract's complaint categories (one list for the whole code base). */
export { COMPLAINT_CATEGORIES } from '../kpis/domain/kpi-catalogue';

// ---------------------------------------------------------------------------------------------
// Model parameters
// ---------------------------------------------------------------------------------------------

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
const WEEK_MS = 7 * DAY_MS;
const YEAR_DAYS = 365.25;

/** Agents per leaf team. */
const AGENTS_PER_TEAM = 20;
/** Share of agents (other than team leads) hired before the span; the rest join during it. */
const HIRED_BEFORE_SPAN = 0.55;
const LEAVE_PROBABILITY = 0.15;
const MOVE_PROBABILITY = 0.12;

/** Share of customers acquired before the span (up to PRE_SPAN_DAYS earlier, with full order history). */
const ACQUIRED_BEFORE_SPAN = 0.22;
const PRE_SPAN_DAYS = 730;
/** Random portfolio moves per customer-year (besides the moves forced by an agent leaving). */
const RANDOM_REASSIGN_PER_YEAR = 0.08;

/** Per-segment BG/NBD and Gamma-Gamma settings (rates per week, money in currency units). */
interface SegmentModel {
  label: string;
  weight: number;
  /** Gamma shape r and rate α of the weekly purchase rate λ */
  r: number;
  alpha: number;
  /** Beta(a, b) of the dropout probability p */
  a: number;
  b: number;
  /** Gamma-Gamma: z ~ Gamma(p, ν), ν ~ Gamma(q, γ); E[z] = p γ / (q − 1) */
  ggP: number;
  ggQ: number;
  ggGamma: number;
  /** background service contacts per year */
  ticketsPerYear: number;
  /** company (true) or person (false) names */
  business: boolean;
}

const SEGMENT_MODELS: readonly SegmentModel[] = [
  { label: 'Consumer', weight: 38, r: 0.3, alpha: 5, a: 0.7, b: 2.6, ggP: 6, ggQ: 4, ggGamma: 25, ticketsPerYear: 0.35, business: false },
  { label: 'SMB', weight: 22, r: 0.45, alpha: 4, a: 0.8, b: 3, ggP: 6, ggQ: 4, ggGamma: 70, ticketsPerYear: 0.5, business: true },
  { label: 'Enterprise', weight: 6, r: 0.5, alpha: 3, a: 0.6, b: 4, ggP: 5, ggQ: 4.5, ggGamma: 300, ticketsPerYear: 1.2, business: true },
  { label: 'VIP', weight: 5, r: 0.5, alpha: 2.5, a: 0.6, b: 3.5, ggP: 6, ggQ: 4, ggGamma: 120, ticketsPerYear: 0.8, business: false },
  { label: '大客户', weight: 4, r: 0.5, alpha: 3, a: 0.6, b: 4, ggP: 5, ggQ: 4.5, ggGamma: 260, ticketsPerYear: 1.1, business: true },
  { label: '中小企业', weight: 9, r: 0.4, alpha: 4, a: 0.8, b: 3, ggP: 6, ggQ: 4, ggGamma: 60, ticketsPerYear: 0.5, business: true },
  { label: '', weight: 16, r: 0.3, alpha: 5, a: 0.7, b: 2.6, ggP: 6, ggQ: 4, ggGamma: 30, ticketsPerYear: 0.35, business: false },
];
// Keep the segment labels in one place (names.ts) and check they line up.
for (const model of SEGMENT_MODELS) {
  if (model.label !== '' && !SEGMENTS.includes(model.label)) throw new Error(`unknown segment ${model.label}`);
}
const SEGMENT_WEIGHTS = SEGMENT_MODELS.map((m) => m.weight);

/** Customers who are acquired but never buy (exercises "active customers without orders"). */
const NEVER_BUYS = 0.04;
/** Cap on λ (purchases per week) so that a handful of extreme draws cannot explode the output. */
const MAX_WEEKLY_RATE = 3;
/** Share of dropped-out customers who also cancel the contract (explicit churn). */
const EXPLICIT_CHURN_OF_DROPOUTS = 0.35;

const CHANNELS = ['phone', 'email', 'chat', 'social', 'in_person'] as const;
type Channel = (typeof CHANNELS)[number];
const CHANNEL_WEIGHTS = [35, 25, 25, 8, 7];
const COMPLAINT_WEIGHTS = [30, 20, 15, 15, 12, 8];
/** Drifting customers complain about failures and the handling of failures more often. */
const DRIFT_COMPLAINT_WEIGHTS = [36, 18, 14, 10, 16, 6];

/** Timestamp forms. */
const TS_UTC = 0;
const TS_LOCAL = 1;
const TS_PLUS8 = 2;
const TS_DATE_ONLY = 3;
type TsForm = typeof TS_UTC | typeof TS_LOCAL | typeof TS_PLUS8 | typeof TS_DATE_ONLY;

const NEVER = 0x7fffffff;
const NO_MOVE = -0x7fffffff;

// ---------------------------------------------------------------------------------------------
// Formatting
// ---------------------------------------------------------------------------------------------

const TWO_DIGITS: readonly string[] = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

/** YYYY-MM-DD strings cached per day number (days since 1970-01-01). */
class DayNames {
  private readonly cache = new Map<number, string>();
  get(day: number): string {
    let s = this.cache.get(day);
    if (s === undefined) {
      s = new Date(day * DAY_MS).toISOString().slice(0, 10);
      this.cache.set(day, s);
    }
    return s;
  }
}

/** RFC 4180: quote a field containing a comma, quote or line break; double inner quotes. */
function csvText(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Money from integer cents, shortest exact form: 120, 12.5, 12.34. */
function formatCents(cents: number): string {
  const whole = Math.floor(cents / 100);
  const frac = cents % 100;
  if (frac === 0) return String(whole);
  if (frac % 10 === 0) return `${whole}.${frac / 10}`;
  return `${whole}.${TWO_DIGITS[frac]}`;
}

/** Hours from quarter hours: 2, 1.5, 0.75. */
function formatQuarterHours(quarters: number): string {
  return `${Math.floor(quarters / 4)}${QUARTER_FRACTIONS[quarters % 4]}`;
}
const QUARTER_FRACTIONS = ['', '.25', '.5', '.75'];

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

// ---------------------------------------------------------------------------------------------
// Streaming CSV writer with back-pressure
// ---------------------------------------------------------------------------------------------

const LINES_PER_CHUNK = 4096;

class CsvWriter {
  rows = 0;
  private buffer: string[] = [];
  private drain: Promise<void> | null = null;
  private error: Error | null = null;

  constructor(
    private readonly stream: WriteStream,
    header: readonly string[],
  ) {
    stream.on('error', (err: Error) => {
      this.error ??= err;
    });
    this.buffer.push(`${header.join(',')}\n`);
  }

  /** Queue one line (with its trailing newline). */
  line(text: string): void {
    this.buffer.push(text);
    this.rows++;
    if (this.buffer.length >= LINES_PER_CHUNK) this.flush();
  }

  /** true when the stream asked us to wait. */
  get blocked(): boolean {
    return this.drain !== null;
  }

  flush(): void {
    if (this.error) throw this.error;
    if (this.buffer.length === 0) return;
    const ok = this.stream.write(this.buffer.join(''));
    this.buffer = [];
    if (!ok && this.drain === null) {
      this.drain = once(this.stream, 'drain').then(() => {
        this.drain = null;
      });
    }
  }

  async waitForDrain(): Promise<void> {
    if (this.drain) await this.drain;
    if (this.error) throw this.error;
  }

  /** Abandon the file after an error. */
  destroy(): void {
    this.stream.destroy();
  }

  async close(): Promise<void> {
    this.flush();
    this.stream.end();
    await finished(this.stream);
    if (this.error) throw this.error;
  }
}

// ---------------------------------------------------------------------------------------------
// Organisation: teams and agents
// ---------------------------------------------------------------------------------------------

interface Organisation {
  teamIds: string[];
  /** leaf team index → region index */
  leafRegion: number[];
  /** leaf team index → position in teamIds */
  leafTeamPos: number[];
  regionCount: number;
  agentIds: string[];
  hiredOn: Int32Array;
  /** last working day, NEVER when still employed */
  leftOn: Int32Array;
  /** current leaf team */
  team: Int32Array;
  /** leaf team before the move; the move happens on moveDay (NO_MOVE when none) */
  previousTeam: Int32Array;
  moveDay: Int32Array;
  /** service skill, ~N(0, 1): better agents respond faster, resolve at first contact, rate higher */
  skill: Float64Array;
  /** agents by region of their current team */
  regionAgents: number[][];
}

function employed(org: Organisation, agent: number, day: number): boolean {
  return org.hiredOn[agent] <= day && day <= org.leftOn[agent];
}

function teamAt(org: Organisation, agent: number, day: number): number {
  return day < org.moveDay[agent] ? org.previousTeam[agent] : org.team[agent];
}

/**
 * An agent employed on `day`, preferably of `region`, other than `exclude`; -1 when nobody is.
 * Rejection sampling first (cheap), then a scan so that the answer is exact.
 */
function pickEmployedAgent(org: Organisation, rng: Random, day: number, region: number, exclude = -1): number {
  const local = org.regionAgents[region];
  if (local && local.length > 0) {
    for (let i = 0; i < 12; i++) {
      const a = local[Math.floor(rng.next() * local.length)];
      if (a !== exclude && employed(org, a, day)) return a;
    }
  }
  const n = org.agentIds.length;
  for (let i = 0; i < 24; i++) {
    const a = Math.floor(rng.next() * n);
    if (a !== exclude && employed(org, a, day)) return a;
  }
  const start = Math.floor(rng.next() * n);
  for (let i = 0; i < n; i++) {
    const a = (start + i) % n;
    if (a !== exclude && employed(org, a, day)) return a;
  }
  return -1;
}

interface Span {
  startDay: number;
  /** first day after the span */
  endDay: number;
  lastDay: number;
  startMs: number;
  /** the export instant: midnight UTC after the last day; nothing happens at or after it */
  exportMs: number;
}

function buildOrganisation(
  rng: Random,
  agentCount: number,
  span: Span,
  days: DayNames,
  teams: CsvWriter,
  agents: CsvWriter,
): Organisation {
  // Hierarchy: at least 2 teams, 1 region, 1 department, so 3 levels even for tiny sizes.
  const leafCount = Math.max(2, Math.round(agentCount / AGENTS_PER_TEAM));
  const regionCount = Math.max(1, Math.ceil(leafCount / 4));
  const deptCount = Math.max(1, Math.ceil(regionCount / 3));
  const idWidthTeam = Math.max(3, String(leafCount).length);

  const teamIds: string[] = [];
  const deptChinese: boolean[] = [];
  // Departments first; then per region its teams *before* the region itself, because the
  // contract allows a parent after its child within teams.csv.
  for (let d = 0; d < deptCount; d++) {
    const id = `DEP${pad(d + 1, 2)}`;
    const chinese = rng.chance(0.5);
    deptChinese.push(chinese);
    teamIds.push(id);
    teams.line(`${id},${csvText(departmentName(d, chinese))},\n`);
  }
  const leafRegion: number[] = [];
  const leafTeamPos: number[] = new Array<number>(leafCount);
  const regionIds: string[] = [];
  for (let r = 0; r < regionCount; r++) regionIds.push(`REG${pad(r + 1, 3)}`);
  for (let t = 0; t < leafCount; t++) leafRegion.push(t % regionCount);
  for (let r = 0; r < regionCount; r++) {
    const dept = r % deptCount;
    const chinese = rng.chance(0.85) ? deptChinese[dept] : !deptChinese[dept];
    for (let t = r; t < leafCount; t += regionCount) {
      const id = `TEAM${pad(t + 1, idWidthTeam)}`;
      const teamChinese = rng.chance(0.9) ? chinese : !chinese;
      leafTeamPos[t] = teamIds.length;
      teamIds.push(id);
      teams.line(`${id},${csvText(teamName(r, Math.floor(t / regionCount) + 1, teamChinese, rng))},${regionIds[r]}\n`);
    }
    teamIds.push(regionIds[r]);
    teams.line(`${regionIds[r]},${csvText(regionName(r, chinese))},DEP${pad(dept + 1, 2)}\n`);
  }

  const n = agentCount;
  const idWidth = Math.max(4, String(n).length);
  const org: Organisation = {
    teamIds,
    leafRegion,
    leafTeamPos,
    regionCount,
    agentIds: [],
    hiredOn: new Int32Array(n),
    leftOn: new Int32Array(n).fill(NEVER),
    team: new Int32Array(n),
    previousTeam: new Int32Array(n),
    moveDay: new Int32Array(n).fill(NO_MOVE),
    skill: new Float64Array(n),
    regionAgents: Array.from({ length: regionCount }, () => []),
  };
  const isLead = new Uint8Array(n);

  // Spread agents evenly over the teams; the first agent placed in a team is its lead.
  const order = rng.shuffle(Array.from({ length: n }, (_, i) => i));
  for (let k = 0; k < n; k++) {
    const a = order[k];
    org.team[a] = k % leafCount;
    org.previousTeam[a] = org.team[a];
    if (k < leafCount) isLead[a] = 1;
  }

  const spanDays = span.endDay - span.startDay;
  for (let a = 0; a < n; a++) {
    org.agentIds.push(`AGT${pad(a + 1, idWidth)}`);
    org.skill[a] = rng.normal();
    if (isLead[a]) {
      // Leads are veterans hired 3–9 years before the span who stay: they guarantee that an
      // employed agent exists on every day a customer (acquired up to 2 years before) may need one.
      org.hiredOn[a] = span.startDay - rng.int(3 * 365, 9 * 365);
      continue;
    }
    org.hiredOn[a] = rng.chance(HIRED_BEFORE_SPAN)
      ? span.startDay - rng.int(1, 6 * 365)
      : span.startDay + rng.int(0, Math.max(0, spanDays - 31));
    if (rng.chance(LEAVE_PROBABILITY)) {
      const lo = Math.max(org.hiredOn[a] + 60, span.startDay + 20);
      if (lo <= span.lastDay - 1) org.leftOn[a] = rng.int(lo, span.lastDay - 1);
    }
    if (leafCount > 1 && rng.chance(MOVE_PROBABILITY)) moveAgent(org, rng, a, span, leafCount);
  }
  // Small organisations: make sure at least one agent moved and one left (two different agents).
  const nonLeads = Array.from({ length: n }, (_, i) => i).filter((a) => !isLead[a]);
  if (nonLeads.length >= 2) {
    const mover = nonLeads[nonLeads.length - 1];
    if (!nonLeads.some((a) => org.moveDay[a] !== NO_MOVE)) {
      org.hiredOn[mover] = Math.min(org.hiredOn[mover], span.startDay - 30);
      if (org.leftOn[mover] !== NEVER) org.leftOn[mover] = Math.max(org.leftOn[mover], span.lastDay - 1);
      moveAgent(org, rng, mover, span, leafCount);
    }
    const leaver = nonLeads[0];
    if (!nonLeads.some((a) => org.leftOn[a] !== NEVER)) {
      org.hiredOn[leaver] = Math.min(org.hiredOn[leaver], span.startDay - 30);
      // Leave mid-span, but after a move if the leaver has one (moves are ≥ 10 days before the end).
      const afterMove = org.moveDay[leaver] === NO_MOVE ? 0 : org.moveDay[leaver] + 5;
      org.leftOn[leaver] = Math.min(span.lastDay - 1, Math.max(span.startDay + Math.floor(spanDays / 2), afterMove));
    }
  }

  for (let a = 0; a < n; a++) {
    org.regionAgents[leafRegion[org.team[a]]].push(a);
    const person = personName(rng);
    const email = rng.chance(0.05) ? '' : `${person.emailLocal}.${pad(a + 1, idWidth)}@yardstick-demo.example`;
    const title = isLead[a] ? rng.pick(TEAM_LEAD_TITLES) : rng.chance(0.1) ? '' : rng.pick(AGENT_TITLES);
    const left = org.leftOn[a] === NEVER ? '' : days.get(org.leftOn[a]);
    agents.line(
      `${org.agentIds[a]},${csvText(person.name)},${email},${teamIds[leafTeamPos[org.team[a]]]},${csvText(title)},${days.get(org.hiredOn[a])},${left}\n`,
    );
  }
  return org;
}

/**
 * One team move during the span. The agent's team_id in agents.csv is the team after the move;
 * tickets handled before moveDay carry the previous team.
 */
function moveAgent(org: Organisation, rng: Random, a: number, span: Span, leafCount: number): void {
  const lo = Math.max(org.hiredOn[a] + 30, span.startDay + 15);
  const hi = Math.min(org.leftOn[a] === NEVER ? span.lastDay : org.leftOn[a], span.lastDay) - 10;
  if (lo > hi) return;
  org.moveDay[a] = rng.int(lo, hi);
  const current = org.team[a];
  // Mostly within the region (a sibling team), sometimes across regions.
  const siblings: number[] = [];
  for (let t = 0; t < leafCount; t++) {
    if (t !== current && org.leafRegion[t] === org.leafRegion[current]) siblings.push(t);
  }
  if (siblings.length > 0 && rng.chance(0.6)) {
    org.previousTeam[a] = rng.pick(siblings);
  } else {
    let t = rng.int(0, leafCount - 2);
    if (t >= current) t++;
    org.previousTeam[a] = t;
  }
}

// ---------------------------------------------------------------------------------------------
// Customers: ownership, purchases, tickets, surveys
// ---------------------------------------------------------------------------------------------

interface Writers {
  customers: CsvWriter;
  assignments: CsvWriter;
  orders: CsvWriter;
  tickets: CsvWriter;
  surveys: CsvWriter;
}

interface Counters {
  order: number;
  ticket: number;
  survey: number;
}

/** A ticket to be written, before ids are handed out. */
interface PlannedTicket {
  at: number;
  /** the customer is drifting away: complaints are likelier, surveys worse */
  drift: boolean;
}

/** A time of day in ms: mostly 08:00–21:00, sometimes any time; whole seconds. */
function timeOfDay(rng: Random): number {
  const seconds = rng.chance(0.9) ? rng.int(8 * 3600, 21 * 3600 - 1) : rng.int(0, 86_399);
  return seconds * 1000;
}

function timestampForm(rng: Random): TsForm {
  const u = rng.next();
  return u < 0.86 ? TS_UTC : u < 0.96 ? TS_LOCAL : TS_PLUS8;
}

function formatTimestamp(days: DayNames, ms: number, form: TsForm): string {
  const shifted = form === TS_PLUS8 ? ms + 8 * HOUR_MS : ms;
  const day = Math.floor(shifted / DAY_MS);
  if (form === TS_DATE_ONLY) return days.get(day);
  let rest = shifted - day * DAY_MS;
  const h = Math.floor(rest / HOUR_MS);
  rest -= h * HOUR_MS;
  const m = Math.floor(rest / MINUTE_MS);
  rest -= m * MINUTE_MS;
  const s = Math.floor(rest / 1000);
  const frac = rest - s * 1000;
  let text = `${days.get(day)}T${TWO_DIGITS[h]}:${TWO_DIGITS[m]}:${TWO_DIGITS[s]}`;
  if (frac !== 0) text += `.${pad(frac, 3)}`;
  return form === TS_UTC ? `${text}Z` : form === TS_PLUS8 ? `${text}+08:00` : text;
}

/** Boolean in the spellings the contract accepts: mostly true/false, some 1/0, yes/no, any case. */
function boolText(rng: Random, value: boolean): string {
  const u = rng.next();
  if (u < 0.9) return value ? 'true' : 'false';
  if (u < 0.94) return value ? '1' : '0';
  if (u < 0.98) return value ? 'yes' : 'no';
  return value ? 'TRUE' : 'False';
}

function statusText(rng: Random, status: 'completed' | 'refunded' | 'cancelled'): string {
  const u = rng.next();
  if (status === 'completed') return u < 0.8 ? '' : u < 0.94 ? 'completed' : u < 0.98 ? 'Completed' : 'COMPLETED';
  const capital = status === 'refunded' ? 'Refunded' : 'Cancelled';
  return u < 0.82 ? status : u < 0.95 ? capital : status.toUpperCase();
}

function channelText(rng: Random, channel: Channel): string {
  if (!rng.chance(0.03)) return channel;
  return rng.chance(0.5) ? channel.toUpperCase() : channel.charAt(0).toUpperCase() + channel.slice(1);
}

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

class CustomerSimulator {
  private readonly idWidth: number;
  private readonly spanYears: number;

  constructor(
    private readonly org: Organisation,
    private readonly rng: Random,
    private readonly span: Span,
    private readonly days: DayNames,
    private readonly out: Writers,
    private readonly counters: Counters,
    customerCount: number,
  ) {
    this.idWidth = Math.max(6, String(customerCount).length);
    this.spanYears = (span.endDay - span.startDay) / YEAR_DAYS;
  }

  simulate(index: number): void {
    const { rng, span, org, days } = this;
    const customerId = `CUS${pad(index + 1, this.idWidth)}`;
    const model = rng.weighted(SEGMENT_MODELS, SEGMENT_WEIGHTS);
    const region = rng.int(0, org.regionCount - 1);

    // Acquisition: some before the span (with their order history), the rest spread over the
    // span with a mild growth tilt towards later months.
    const spanDays = span.endDay - span.startDay;
    const acquiredDay = rng.chance(ACQUIRED_BEFORE_SPAN)
      ? span.startDay - rng.int(1, PRE_SPAN_DAYS)
      : span.startDay + Math.min(spanDays - 1, Math.floor(spanDays * Math.pow(rng.next(), 0.8)));
    const acquiredMs = acquiredDay * DAY_MS;

    // --- Purchases (BG/NBD) -------------------------------------------------------------
    const purchases: number[] = [];
    let droppedOut = false;
    if (!rng.chance(NEVER_BUYS)) {
      const lambda = Math.min(MAX_WEEKLY_RATE, rng.gamma(model.r, model.alpha)); // per week
      const p = rng.beta(model.a, model.b);
      // The first purchase is time zero of the model: mostly on the acquisition day, sometimes
      // later, and rarely a few days *before* acquired_on (the CRM registered the account late).
      const u = rng.next();
      const firstDay =
        u < 0.88 ? acquiredDay : u < 0.995 ? acquiredDay + 1 + Math.floor(rng.exponential(1 / 20)) : acquiredDay - rng.int(1, 10);
      let t = firstDay * DAY_MS + timeOfDay(rng);
      if (t < span.exportMs) {
        purchases.push(t);
        // Repeat purchases: exponential gaps with rate λ; after each repeat purchase the
        // customer drops out with probability p (never after the first, as in BG/NBD).
        for (;;) {
          t += rng.exponential(lambda) * WEEK_MS;
          if (!(t < span.exportMs)) break;
          const day = Math.floor(t / DAY_MS);
          purchases.push(day * DAY_MS + timeOfDay(rng));
          if (rng.chance(p)) {
            droppedOut = true;
            break;
          }
        }
      }
    }
    const lastPurchase = purchases.length > 0 ? purchases[purchases.length - 1] : -1;

    // Explicit churn: a third of the dropouts also cancel the contract a few weeks to months
    // after their last purchase; the other dropouts just stop buying (inactivity churn).
    // A few customers who never bought cancel as well.
    let churnDay = NEVER;
    if (droppedOut && rng.chance(EXPLICIT_CHURN_OF_DROPOUTS)) {
      churnDay = Math.max(acquiredDay + 1, Math.floor(lastPurchase / DAY_MS) + rng.int(14, 150));
    } else if (purchases.length === 0 && rng.chance(0.15)) {
      churnDay = acquiredDay + rng.int(20, 300);
    }
    if (churnDay > span.lastDay) churnDay = NEVER;

    // --- Ownership --------------------------------------------------------------------------
    const ownerDays: number[] = [];
    const ownerAgents: number[] = [];
    const ownerOnAcquisition = rng.chance(0.04) ? -1 : pickEmployedAgent(org, rng, acquiredDay, region);
    let listedOwner = ownerOnAcquisition; // owner_agent_id in customers.csv
    let current = ownerOnAcquisition;
    let currentDay = acquiredDay;
    if (current >= 0) {
      ownerDays.push(acquiredDay);
      ownerAgents.push(current);
      const u = rng.next();
      if (u < 0.03) {
        // An explicit assignment on acquired_on that repeats owner_agent_id.
        this.assignment(customerId, current, acquiredDay);
      } else if (u < 0.033) {
        // An explicit assignment on acquired_on naming someone else: the explicit row wins, so
        // that agent is the real owner (and handles the tickets).
        const other = pickEmployedAgent(org, rng, acquiredDay, region, current);
        if (other >= 0) {
          this.assignment(customerId, other, acquiredDay);
          ownerAgents[0] = other;
          current = other;
        }
      } else if (u < 0.035) {
        // No owner_agent_id: the first owner is known from assignments.csv only.
        listedOwner = -1;
        this.assignment(customerId, current, acquiredDay);
      }
    } else if (rng.chance(0.5)) {
      // Unowned at first, assigned some days later.
      const day = acquiredDay + rng.int(5, 60);
      const agent = day <= span.lastDay && day < churnDay ? pickEmployedAgent(org, rng, day, region) : -1;
      if (agent >= 0) {
        this.assignment(customerId, agent, day);
        ownerDays.push(day);
        ownerAgents.push(agent);
        current = agent;
        currentDay = day;
      }
    }
    // Later moves: when the owner leaves (a few days to three weeks after left_on, so the
    // portfolio briefly still belongs to the leaver), and random moves during the span.
    while (current >= 0) {
      const from = Math.max(currentDay + 1, span.startDay);
      const randomMove = from + Math.floor(rng.exponential(RANDOM_REASSIGN_PER_YEAR / YEAR_DAYS));
      const leaveMove = org.leftOn[current] === NEVER ? NEVER : Math.max(from, org.leftOn[current] + rng.int(1, 21));
      const day = Math.min(randomMove, leaveMove);
      if (day > span.lastDay || day >= churnDay) break;
      const agent = pickEmployedAgent(org, rng, day, region, current);
      if (agent < 0) break;
      this.assignment(customerId, agent, day);
      ownerDays.push(day);
      ownerAgents.push(agent);
      current = agent;
      currentDay = day;
    }

    const name = rng.chance(0.05) ? '' : model.business ? companyName(rng) : personName(rng).name;
    this.out.customers.line(
      `${customerId},${csvText(name)},${csvText(model.label)},${days.get(acquiredDay)},${churnDay === NEVER ? '' : days.get(churnDay)},${listedOwner >= 0 ? org.agentIds[listedOwner] : ''}\n`,
    );

    // --- Orders (Gamma-Gamma spend) ---------------------------------------------------------
    if (purchases.length > 0) this.writeOrders(customerId, model, purchases);

    // --- Tickets and surveys ----------------------------------------------------------------
    // Contacts happen while the customer is engaged: from acquisition (or the span start) until
    // churn, or for dropouts until a few weeks to months after the last purchase.
    const engagedFrom = Math.max(acquiredMs, span.startMs);
    let engagedUntil = span.exportMs;
    if (churnDay !== NEVER) engagedUntil = Math.min(engagedUntil, churnDay * DAY_MS);
    if (droppedOut) engagedUntil = Math.min(engagedUntil, lastPurchase + rng.int(20, 120) * DAY_MS);

    const planned: PlannedTicket[] = [];
    if (engagedUntil > engagedFrom) {
      const years = (engagedUntil - engagedFrom) / (YEAR_DAYS * DAY_MS);
      const rate = purchases.length === 0 ? model.ticketsPerYear * 0.5 : model.ticketsPerYear;
      const background = rng.poisson(rate * years);
      for (let i = 0; i < background; i++) {
        const day = Math.floor((engagedFrom + rng.next() * (engagedUntil - engagedFrom)) / DAY_MS);
        planned.push({ at: day * DAY_MS + timeOfDay(rng), drift: false });
      }
    }
    // Order follow-ups: about one order in ten leads to a contact within days.
    const followUpUntil = churnDay === NEVER ? span.exportMs : churnDay * DAY_MS;
    for (const t of purchases) {
      if (t >= span.startMs && rng.chance(0.1)) {
        const at = Math.floor((t + rng.exponential(1 / (2 * DAY_MS))) / 1000) * 1000;
        if (at >= engagedFrom && at < followUpUntil) planned.push({ at, drift: false });
      }
    }
    // Drifting away: customers who drop out often complain in the months around their last
    // purchase (rising complaints, lower satisfaction) before they go quiet.
    if (droppedOut && lastPurchase >= span.startMs - 60 * DAY_MS && rng.chance(0.45)) {
      const k = rng.int(1, 4);
      const lo = Math.max(span.startMs, lastPurchase - 75 * DAY_MS);
      const hi = Math.min(span.exportMs, lastPurchase + 40 * DAY_MS, churnDay === NEVER ? Infinity : churnDay * DAY_MS);
      for (let i = 0; i < k && hi > lo; i++) {
        const day = Math.floor((lo + rng.next() * (hi - lo)) / DAY_MS);
        const at = day * DAY_MS + timeOfDay(rng);
        if (at >= lo && at < hi) planned.push({ at, drift: true });
      }
    }
    planned.sort((x, y) => x.at - y.at);
    for (const ticket of planned) this.writeTicket(customerId, region, ticket, ownerDays, ownerAgents);

    // Relationship surveys not tied to a ticket, rating the owner at the time.
    if (engagedUntil > engagedFrom) {
      const count = rng.poisson(0.12 * ((engagedUntil - engagedFrom) / (YEAR_DAYS * DAY_MS)));
      for (let i = 0; i < count; i++) {
        const day = Math.floor((engagedFrom + rng.next() * (engagedUntil - engagedFrom)) / DAY_MS);
        const at = day * DAY_MS + timeOfDay(rng);
        if (at >= span.exportMs) continue;
        const owner = ownerOn(ownerDays, ownerAgents, day);
        const agent = owner >= 0 && employed(org, owner, day) ? owner : pickEmployedAgent(org, rng, day, region);
        if (agent < 0) continue;
        const satisfaction = rng.normal(0.6 + 0.3 * org.skill[agent] - (droppedOut ? 0.5 : 0), 1);
        this.writeSurvey(customerId, agent, '', at, timestampForm(rng), satisfaction);
      }
    }
  }

  private assignment(customerId: string, agent: number, day: number): void {
    this.out.assignments.line(`${customerId},${this.org.agentIds[agent]},${this.days.get(day)}\n`);
  }

  private writeOrders(customerId: string, model: SegmentModel, purchases: number[]): void {
    const { rng, span, days, out, counters } = this;
    // Gamma-Gamma: the customer's spend parameter ν ~ Gamma(q, γ); each purchase z ~ Gamma(p, ν).
    const nu = rng.gamma(model.ggQ, model.ggGamma);
    const marginRate = rng.uniform(0.12, 0.45);
    const marginAlwaysGiven = rng.chance(0.5); // some CRMs send margins for a customer, some never
    const emit = (at: number, cents: number, status: 'completed' | 'refunded' | 'cancelled'): void => {
      if (at >= span.exportMs) return;
      counters.order++;
      const u = rng.next();
      const form: TsForm = u < 0.84 ? TS_UTC : u < 0.93 ? TS_LOCAL : u < 0.99 ? TS_PLUS8 : TS_DATE_ONLY;
      // Now and then millisecond precision, as some CRMs export it.
      const when = form === TS_DATE_ONLY ? Math.floor(at / DAY_MS) * DAY_MS : rng.chance(0.02) ? at + rng.int(1, 999) : at;
      let margin = '';
      if (marginAlwaysGiven ? rng.chance(0.95) : rng.chance(0.15)) {
        margin = formatCents(Math.round(cents * clamp(marginRate + rng.normal(0, 0.04), 0.02, 0.8)));
      }
      out.orders.line(
        `ORD${pad(counters.order, 9)},${customerId},${formatTimestamp(days, when, form)},${formatCents(cents)},${margin},${statusText(rng, status)}\n`,
      );
    };
    const spend = (): number => Math.max(1, Math.round(rng.gamma(model.ggP, nu) * 100));
    for (const at of purchases) {
      // A few zero-amount orders (free replacements, vouchers) — still a purchase.
      const cents = rng.chance(0.004) ? 0 : spend();
      if (cents > 200 && rng.chance(0.04)) {
        // A purchase split over two orders the same day: one purchase day, amounts summed.
        const first = Math.round(cents * rng.uniform(0.2, 0.8));
        emit(at, first, 'completed');
        emit(Math.min(at + rng.int(1, 90) * MINUTE_MS, Math.floor(at / DAY_MS + 1) * DAY_MS - 1000), cents - first, 'completed');
      } else {
        emit(at, cents, 'completed');
      }
      // Refunds and cancellations are extra orders around a purchase; they never count, so the
      // completed orders still follow the BG/NBD process exactly.
      if (rng.chance(0.03)) emit(at + rng.int(1, 72) * HOUR_MS, spend(), 'refunded');
      if (rng.chance(0.025)) emit(at + rng.int(1, 240) * MINUTE_MS, spend(), 'cancelled');
    }
  }

  private writeTicket(
    customerId: string,
    region: number,
    planned: PlannedTicket,
    ownerDays: number[],
    ownerAgents: number[],
  ): void {
    const { rng, span, org, days, out, counters } = this;
    const openedAt = planned.at;
    const day = Math.floor(openedAt / DAY_MS);
    // Mostly the owner at the time handles the contact; otherwise whoever picks it up.
    const owner = ownerOn(ownerDays, ownerAgents, day);
    const agent = owner >= 0 && employed(org, owner, day) && rng.chance(0.85) ? owner : pickEmployedAgent(org, rng, day, region);
    if (agent < 0) return;
    counters.ticket++;
    const ticketId = `TKT${pad(counters.ticket, 9)}`;
    const skill = org.skill[agent];
    const team = teamAt(org, agent, day);
    // team_id is optional (default: the agent's current team); leave it out now and then
    // where that default is right.
    const teamText = team === org.team[agent] && rng.chance(0.06) ? '' : org.teamIds[org.leafTeamPos[team]];
    const channel = rng.weighted(CHANNELS, CHANNEL_WEIGHTS);
    const category = rng.chance(0.08) ? '' : rng.pick(TICKET_CATEGORIES);

    const isComplaint = rng.chance(planned.drift ? 0.55 : 0.06);
    let complaintCategory = '';
    let controllable = '';
    if (isComplaint) {
      complaintCategory = rng.weighted(COMPLAINT_CATEGORIES, planned.drift ? DRIFT_COMPLAINT_WEIGHTS : COMPLAINT_WEIGHTS);
      if (rng.chance(0.03)) complaintCategory = complaintCategory.toUpperCase();
      const u = rng.next();
      const pTrue = planned.drift ? 0.7 : 0.55;
      controllable = u < pTrue ? boolText(rng, true) : u < 0.85 ? boolText(rng, false) : '';
    }

    // Contacts needed: better agents resolve at first contact more often.
    const extra = clamp(Math.floor(rng.exponential(1) * (0.55 - 0.12 * skill + (isComplaint ? 0.4 : 0))), 0, 3);
    const contactCount = 1 + extra;
    const reopened = rng.chance(0.04 + (isComplaint ? 0.08 : 0) - 0.01 * skill);

    // First response: phone and in-person are answered at once; chat within minutes; email and
    // social mostly within the hour (the SLA) but with a long tail; a few never get one.
    let responseMs: number;
    if (channel === 'phone' || channel === 'in_person') responseMs = rng.int(0, 180) * 1000;
    else if (channel === 'chat') responseMs = Math.round(rng.logNormal(Math.log(120), 0.9)) * 1000;
    else responseMs = Math.round(rng.logNormal(Math.log(22 * 60) - 0.15 * skill, 1.1)) * 1000;
    let firstResponse: number | null = rng.chance(0.04) ? null : openedAt + responseMs;

    // Resolution: a few hours typically, complaints and multi-contact tickets take longer.
    const medianHours = (isComplaint ? 18 : 3) * (1 + 0.6 * extra) * Math.exp(-0.15 * skill);
    let resolved: number | null = openedAt + Math.max(responseMs, Math.round(rng.logNormal(Math.log(medianHours * 3600), 1.3)) * 1000);
    if (reopened) resolved += rng.int(1, 96) * HOUR_MS;
    if (rng.chance(0.01)) resolved = null; // stuck open
    if (resolved !== null && resolved >= span.exportMs) resolved = null; // still open at export
    if (firstResponse !== null && firstResponse >= span.exportMs) firstResponse = null;

    const handleBase = { phone: 420, email: 300, chat: 540, social: 240, in_person: 900 }[channel];
    const handleSeconds = rng.chance(0.08)
      ? ''
      : String(Math.round(handleBase * contactCount * (isComplaint ? 1.6 : 1) * rng.logNormal(-0.1 * skill, 0.5)));

    const form = timestampForm(rng);
    const fmt = (ms: number | null): string => (ms === null ? '' : formatTimestamp(days, ms, form));
    const reopenedText = reopened ? boolText(rng, true) : rng.chance(0.7) ? '' : boolText(rng, false);
    const complaintText = isComplaint ? boolText(rng, true) : rng.chance(0.6) ? '' : boolText(rng, false);
    out.tickets.line(
      `${ticketId},${customerId},${org.agentIds[agent]},${teamText},${channelText(rng, channel)},${csvText(category)},${fmt(openedAt)},${fmt(firstResponse)},${fmt(resolved)},${contactCount},${reopenedText},${handleSeconds},${complaintText},${complaintCategory},${controllable}\n`,
    );

    // Post-contact survey for about a quarter of the resolved tickets, answered hours to days
    // later; satisfaction falls with complaints, extra contacts, reopening, slow resolution and
    // drifting customers, and rises with the agent's skill.
    if (resolved !== null && rng.chance(0.27)) {
      const respondedAt = resolved + 5 * MINUTE_MS + Math.floor(rng.exponential(1 / (20 * HOUR_MS)) / 1000) * 1000;
      if (respondedAt < span.exportMs) {
        const slow = resolved - openedAt > 24 * HOUR_MS ? 0.5 : 0;
        const satisfaction = rng.normal(
          0.9 + 0.35 * skill - (isComplaint ? 1.1 : 0) - 0.3 * extra - (reopened ? 0.6 : 0) - slow - (planned.drift ? 0.7 : 0),
          0.9,
        );
        this.writeSurvey(customerId, agent, ticketId, respondedAt, form, satisfaction);
      }
    }
  }

  /** One survey; partial answers (csat / nps / ces in any combination, at least one). */
  private writeSurvey(customerId: string, agent: number, ticketId: string, at: number, form: TsForm, satisfaction: number): void {
    const { rng, days, out, counters } = this;
    counters.survey++;
    const combo = rng.weighted([1, 2, 4, 3, 5, 6, 7], [30, 14, 10, 20, 8, 3, 15]); // bit 1 csat, 2 nps, 4 ces
    const csat = combo & 1 ? String(clamp(Math.round(3.7 + 0.9 * satisfaction), 1, 5)) : '';
    const nps = combo & 2 ? String(clamp(Math.round(7.3 + 1.8 * satisfaction), 0, 10)) : '';
    const ces = combo & 4 ? String(clamp(Math.round(3.1 - 1.1 * satisfaction), 1, 7)) : '';
    out.surveys.line(
      `SRV${pad(counters.survey, 9)},${customerId},${this.org.agentIds[agent]},${ticketId},${formatTimestamp(days, at, form)},${csat},${nps},${ces}\n`,
    );
  }
}

/** The owner on `day`: the latest assignment on or before it; -1 when none. */
function ownerOn(ownerDays: number[], ownerAgents: number[], day: number): number {
  let owner = -1;
  for (let i = 0; i < ownerDays.length && ownerDays[i] <= day; i++) owner = ownerAgents[i];
  return owner;
}

// ---------------------------------------------------------------------------------------------
// Training
// ---------------------------------------------------------------------------------------------

const TRAINING_QUARTER_HOURS = [2, 3, 4, 6, 8, 12, 16, 30, 32, 64];
const TRAINING_WEIGHTS = [10, 4, 20, 12, 18, 10, 10, 6, 7, 3];

function writeTraining(org: Organisation, rng: Random, span: Span, days: DayNames, out: CsvWriter): void {
  let counter = 0;
  const line = (agent: number, day: number, course: string): void => {
    counter++;
    const quarters = rng.weighted(TRAINING_QUARTER_HOURS, TRAINING_WEIGHTS);
    out.line(`TRN${pad(counter, 7)},${org.agentIds[agent]},${days.get(day)},${formatQuarterHours(quarters)},${csvText(course)}\n`);
  };
  for (let a = 0; a < org.agentIds.length; a++) {
    const from = Math.max(org.hiredOn[a], span.startDay);
    const to = Math.min(org.leftOn[a], span.lastDay);
    if (from > to) continue;
    // New hires take the onboarding course in their first two weeks.
    if (org.hiredOn[a] >= span.startDay && rng.chance(0.9)) line(a, Math.min(to, from + rng.int(0, 14)), ONBOARDING_COURSE);
    const count = rng.poisson((0.45 * (to - from + 1)) / 30.44);
    const dates: number[] = [];
    for (let i = 0; i < count; i++) dates.push(rng.int(from, to));
    dates.sort((x, y) => x - y);
    for (const day of dates) line(a, day, rng.chance(0.07) ? '' : rng.pick(COURSES));
  }
}

// ---------------------------------------------------------------------------------------------
// Entry point
// ---------------------------------------------------------------------------------------------

function validate(opts: DemoDataOptions): { year: number; month: number } {
  const match = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(opts.endMonth);
  if (!match) throw new Error(`endMonth must be YYYY-MM, got ${JSON.stringify(opts.endMonth)}`);
  const positive = (name: string, v: number, min: number): void => {
    if (!Number.isInteger(v) || v < min) throw new Error(`${name} must be an integer ≥ ${min}, got ${v}`);
  };
  positive('agents', opts.agents, 1);
  positive('customers', opts.customers, 0);
  positive('months', opts.months, 1);
  if (opts.months > 1200) throw new Error('months must be at most 1200');
  return { year: Number(match[1]), month: Number(match[2]) };
}

export async function generateDemoData(opts: DemoDataOptions): Promise<DemoDataResult> {
  const { year, month } = validate(opts);
  const endMonthIndex = year * 12 + (month - 1);
  const startMonthIndex = endMonthIndex - opts.months + 1;
  const startDay = Date.UTC(Math.floor(startMonthIndex / 12), startMonthIndex % 12, 1) / DAY_MS;
  const endDay = Date.UTC(Math.floor((endMonthIndex + 1) / 12), (endMonthIndex + 1) % 12, 1) / DAY_MS;
  const span: Span = { startDay, endDay, lastDay: endDay - 1, startMs: startDay * DAY_MS, exportMs: endDay * DAY_MS };
  const days = new DayNames();

  mkdirSync(opts.out, { recursive: true });
  const writers = {} as Record<DemoFileName, CsvWriter>;
  for (const [file, header] of Object.entries(DEMO_FILES) as [DemoFileName, readonly string[]][]) {
    writers[file] = new CsvWriter(createWriteStream(path.join(opts.out, file), { encoding: 'utf8', highWaterMark: 1 << 20 }), header);
  }
  const all = Object.values(writers);
  try {
    const org = buildOrganisation(new Random(opts.seed, 'organisation'), opts.agents, span, days, writers['teams.csv'], writers['agents.csv']);

    const counters: Counters = { order: 0, ticket: 0, survey: 0 };
    const simulator = new CustomerSimulator(
      org,
      new Random(opts.seed, 'customers'),
      span,
      days,
      {
        customers: writers['customers.csv'],
        assignments: writers['assignments.csv'],
        orders: writers['orders.csv'],
        tickets: writers['tickets.csv'],
        surveys: writers['surveys.csv'],
      },
      counters,
      opts.customers,
    );
    const progressEvery = Math.max(1000, Math.floor(opts.customers / 200));
    for (let i = 0; i < opts.customers; i++) {
      simulator.simulate(i);
      // Back-pressure: wait for any stream whose buffer is full before simulating more.
      if (all.some((w) => w.blocked)) await Promise.all(all.map((w) => w.waitForDrain()));
      if ((i + 1) % progressEvery === 0) opts.onProgress?.(i + 1, opts.customers);
    }

    writeTraining(org, new Random(opts.seed, 'training'), span, days, writers['training.csv']);
    await Promise.all(all.map((w) => w.close()));
    opts.onProgress?.(opts.customers, opts.customers);

    const files: Record<string, number> = {};
    for (const file of Object.keys(DEMO_FILES) as DemoFileName[]) files[file] = writers[file].rows;
    return { files, from: days.get(span.startDay), to: days.get(span.lastDay) };
  } catch (err) {
    for (const w of all) w.destroy();
    throw err;
  }
}

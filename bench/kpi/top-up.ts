/**
 * A small bench-local generator that tops up the demo data's orders, tickets and surveys so
 * that the volumes approach the issue's (≈ 10 M orders, 5 M tickets, 1 M surveys for 1 M
 * customers and 24 months), without touching src/demo-data. It streams the generated files
 * and writes each original row followed by its extra rows, so the result is still one file
 * per entity (imported into an empty table, like a first real import).
 *
 * The extra rows keep the shape of the generated ones:
 * - orders: each customer's purchase stream gets denser — extra orders fall between two of
 *   the customer's own orders (after the last one: within 30 days, before the export), so
 *   nobody buys before acquisition or long after dropping out; amounts scatter around the
 *   neighbouring order's, same status mix;
 * - tickets: copies of each ticket (same customer, agent, team, channel, category, outcome)
 *   shifted by whole days, kept inside the span and the agent's employment;
 * - surveys: a copy of a ticket's survey follows a copy of that ticket (same shift, so it
 *   stays after the resolution and rates the same agent); relationship surveys (no ticket)
 *   shift on their own.
 * Ids get their own prefixes (ORX…, TK1…/TK4…, SV1…/SV4…), so they never clash.
 * Deterministic: the same options give byte-identical files.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { finished } from 'node:stream/promises';
import type { DemoFileName } from '../../src/demo-data/demo-data.generator';
import { Random } from '../../src/demo-data/random';

export interface TopUpOptions {
  /** mean number of extra orders per generated order (Poisson) */
  extraOrdersPerOrder: number;
  /** shifted copies attempted per generated ticket (at most 4) */
  ticketCopies: number;
  /** chance that a survey is copied along with each copy of its ticket (or, without a ticket, per attempt) */
  surveyCopyChance: number;
}

const DAY_MS = 86_400_000;
/** Largest shift of a ticket copy, days. */
const MAX_SHIFT_DAYS = 60;

// ---------------------------------------------------------------------------------------------
// CSV and time helpers
// ---------------------------------------------------------------------------------------------

/** RFC 4180 fields of one line (the generated files quote only text with , " or line breaks). */
function fields(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

function csvLine(values: string[]): string {
  return `${values.map((v) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)).join(',')}\n`;
}

/** The generated timestamp forms: …Z, …+08:00, offset-less (UTC wall clock), date only. NaN for ''. */
function parseInstant(text: string): number {
  if (text === '') return Number.NaN;
  if (text.length <= 10 || text.endsWith('Z') || /[+-]\d\d:\d\d$/.test(text)) return Date.parse(text);
  return Date.parse(`${text}Z`);
}

function formatInstant(ms: number): string {
  const s = new Date(ms).toISOString();
  return s.endsWith('.000Z') ? `${s.slice(0, -5)}Z` : s;
}

/** A deterministic uniform number in [0, 1) from a string (FNV-1a, then murmur3's finaliser). */
function unit(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 2 ** 32;
}

class Lines {
  rows = 0;
  private buffer: string[] = [];
  private readonly stream: WriteStream;

  constructor(file: string, header: string) {
    this.stream = createWriteStream(file, { highWaterMark: 1 << 20 });
    this.buffer.push(`${header}\n`);
  }

  /** Queues a line (with its newline); true when the caller should `await flush()`. */
  push(line: string): boolean {
    this.buffer.push(line);
    this.rows++;
    return this.buffer.length >= 8192;
  }

  async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const ok = this.stream.write(this.buffer.join(''));
    this.buffer = [];
    if (!ok) await once(this.stream, 'drain');
  }

  async close(): Promise<number> {
    await this.flush();
    this.stream.end();
    await finished(this.stream);
    return this.rows;
  }
}

/** Lines of a CSV file after the header. */
async function* rows(file: string): AsyncGenerator<string> {
  const rl = createInterface({ input: createReadStream(file, { highWaterMark: 1 << 20 }), crlfDelay: Infinity });
  let first = true;
  for await (const line of rl) {
    if (first) {
      first = false;
      continue;
    }
    if (line !== '') yield line;
  }
}

async function headerOf(file: string): Promise<string> {
  const rl = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of rl) {
    rl.close();
    return line;
  }
  throw new Error(`${file} is empty`);
}

// ---------------------------------------------------------------------------------------------
// The top-up
// ---------------------------------------------------------------------------------------------

interface Span {
  startMs: number;
  exportMs: number;
}

function spanOf(endMonth: string, months: number): Span {
  const [y, m] = endMonth.split('-').map(Number);
  const end = y * 12 + (m - 1);
  const start = end - months + 1;
  return {
    startMs: Date.UTC(Math.floor(start / 12), start % 12, 1),
    exportMs: Date.UTC(Math.floor((end + 1) / 12), (end + 1) % 12, 1),
  };
}

/** agent_id → [first instant employed, first instant after the last working day). */
async function employment(file: string): Promise<Map<string, [number, number]>> {
  const out = new Map<string, [number, number]>();
  const header = fields(await headerOf(file));
  const [id, hired, left] = ['agent_id', 'hired_on', 'left_on'].map((c) => header.indexOf(c));
  for await (const line of rows(file)) {
    const f = fields(line);
    out.set(f[id], [Date.parse(f[hired]), f[left] ? Date.parse(f[left]) + DAY_MS : Number.POSITIVE_INFINITY]);
  }
  return out;
}

/**
 * Writes orders.csv, tickets.csv and surveys.csv into `outDir` (the generated ones plus the
 * extra rows); returns their row counts.
 */
export async function topUp(
  baseDir: string,
  outDir: string,
  generatedRows: Record<DemoFileName, number>,
  opts: TopUpOptions & { seed: string; endMonth: string; months: number },
): Promise<Partial<Record<DemoFileName, number>>> {
  if (opts.ticketCopies > 4) throw new Error('ticketCopies must be at most 4');
  const span = spanOf(opts.endMonth, opts.months);
  const agents = await employment(path.join(baseDir, 'agents.csv'));
  const employed = (agent: string, at: number): boolean => {
    const e = agents.get(agent);
    return !!e && e[0] <= at && at < e[1];
  };
  const seed = String(opts.seed);
  const result: Partial<Record<DemoFileName, number>> = {};

  // Candidate shifts of copy j of a record: ±d days, then ±⌈d/4⌉ days (first that fits wins).
  const shifts = (id: string, j: number): number[] => {
    const d = 1 + Math.floor(unit(`${seed}|${id}|${j}`) * MAX_SHIFT_DAYS);
    const s = unit(`${seed}|${id}|${j}|sign`) < 0.5 ? -1 : 1;
    const q = Math.ceil(d / 4);
    return [s * d, -s * d, s * q, -s * q].map((days) => days * DAY_MS);
  };

  // --- orders ---------------------------------------------------------------------------------
  {
    const rng = new Random(seed, 'bench-top-up-orders');
    const src = path.join(baseDir, 'orders.csv');
    const header = await headerOf(src);
    const h = fields(header);
    const [cCustomer, cAt, cAmount] = ['customer_id', 'ordered_at', 'amount'].map((c) => h.indexOf(c));
    const out = new Lines(path.join(outDir, 'orders.csv'), header);
    let n = 0;
    let group: string[] = [];
    let customer = '';
    const flushGroup = async () => {
      const parsed = group.map(fields);
      const times = parsed.map((f) => parseInstant(f[cAt]));
      for (let i = 0; i < group.length; i++) {
        if (out.push(`${group[i]}\n`)) await out.flush();
        const k = rng.poisson(opts.extraOrdersPerOrder);
        if (k === 0) continue;
        const t = times[i];
        const gap = i + 1 < group.length ? times[i + 1] - t : Math.min(30 * DAY_MS, span.exportMs - 1000 - t);
        if (!(gap > 1000)) continue;
        const amount = Number(parsed[i][cAmount]);
        for (let e = 0; e < k; e++) {
          const at = Math.floor((t + rng.next() * gap) / 1000) * 1000;
          const cents = Math.max(0, Math.round(amount * 100 * Math.exp(rng.normal(0, 0.35))));
          const margin = rng.chance(0.6) ? (Math.round(cents * rng.uniform(0.15, 0.4)) / 100).toFixed(2) : '';
          const u = rng.next();
          const status = u < 0.95 ? '' : u < 0.98 ? 'refunded' : 'cancelled';
          n++;
          if (out.push(`ORX${String(n).padStart(9, '0')},${customer},${formatInstant(at)},${(cents / 100).toFixed(2)},${margin},${status}\n`)) await out.flush();
        }
      }
      group = [];
    };
    for await (const line of rows(src)) {
      const c = line.slice(line.indexOf(',') + 1, line.indexOf(',', line.indexOf(',') + 1));
      if (c !== customer && group.length) await flushGroup();
      customer = c;
      group.push(line);
    }
    if (group.length) await flushGroup();
    result['orders.csv'] = await out.close();
  }

  // --- tickets --------------------------------------------------------------------------------
  // copies[n] of ticket TKT…n: bits 0–3 say copy j = 1…4 exists, bits 4–11 which of its four
  // candidate shifts it took (2 bits per copy); the survey copies follow the ticket copies.
  const copies = new Uint16Array(generatedRows['tickets.csv'] + 2);
  const ticketNumber = (id: string): number => Number.parseInt(id.slice(3), 10);
  {
    const src = path.join(baseDir, 'tickets.csv');
    const header = await headerOf(src);
    const h = fields(header);
    const [cId, cAgent, cOpened, cFirst, cResolved] = ['ticket_id', 'agent_id', 'opened_at', 'first_response_at', 'resolved_at'].map((c) => h.indexOf(c));
    const out = new Lines(path.join(outDir, 'tickets.csv'), header);
    for await (const line of rows(src)) {
      if (out.push(`${line}\n`)) await out.flush();
      const f = fields(line);
      const id = f[cId];
      const num = ticketNumber(id);
      const opened = parseInstant(f[cOpened]);
      const first = parseInstant(f[cFirst]);
      const resolved = parseInstant(f[cResolved]);
      const latest = Math.max(opened, Number.isNaN(first) ? opened : first, Number.isNaN(resolved) ? opened : resolved);
      for (let j = 1; j <= opts.ticketCopies; j++) {
        const choice = shifts(id, j).findIndex(
          (d) => opened + d >= span.startMs && latest + d < span.exportMs && employed(f[cAgent], opened + d),
        );
        if (choice < 0) continue;
        copies[num] |= (1 << (j - 1)) | (choice << (4 + 2 * (j - 1)));
        const d = shifts(id, j)[choice];
        const copy = [...f];
        copy[cId] = `TK${j}${id.slice(3)}`;
        copy[cOpened] = formatInstant(opened + d);
        copy[cFirst] = Number.isNaN(first) ? '' : formatInstant(first + d);
        copy[cResolved] = Number.isNaN(resolved) ? '' : formatInstant(resolved + d);
        if (out.push(csvLine(copy))) await out.flush();
      }
    }
    result['tickets.csv'] = await out.close();
  }

  // --- surveys --------------------------------------------------------------------------------
  {
    const src = path.join(baseDir, 'surveys.csv');
    const header = await headerOf(src);
    const h = fields(header);
    const [cId, cAgent, cTicket, cAt] = ['survey_id', 'agent_id', 'ticket_id', 'responded_at'].map((c) => h.indexOf(c));
    const out = new Lines(path.join(outDir, 'surveys.csv'), header);
    for await (const line of rows(src)) {
      if (out.push(`${line}\n`)) await out.flush();
      const f = fields(line);
      const id = f[cId];
      const at = parseInstant(f[cAt]);
      const ticket = f[cTicket];
      for (let j = 1; j <= 4; j++) {
        if (unit(`${seed}|${id}|${j}|copy`) >= opts.surveyCopyChance) continue;
        let d: number;
        if (ticket) {
          if (j > opts.ticketCopies) continue;
          const bits = copies[ticketNumber(ticket)];
          if (!(bits & (1 << (j - 1)))) continue;
          d = shifts(ticket, j)[(bits >> (4 + 2 * (j - 1))) & 3];
          if (at + d >= span.exportMs) continue;
        } else {
          const found = shifts(id, j).find((x) => at + x >= span.startMs && at + x < span.exportMs && employed(f[cAgent], at + x));
          if (found === undefined) continue;
          d = found;
        }
        const copy = [...f];
        copy[cId] = `SV${j}${id.slice(3)}`;
        copy[cAt] = formatInstant(at + d);
        if (ticket) copy[cTicket] = `TK${j}${ticket.slice(3)}`;
        if (out.push(csvLine(copy))) await out.flush();
      }
    }
    result['surveys.csv'] = await out.close();
  }
  return result;
}

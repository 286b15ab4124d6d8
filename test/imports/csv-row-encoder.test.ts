import fc from 'fast-check';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { fractionMicros, lowerProbeSql, PROBED_LETTERS, RowEncoder, SIMPLE_CASE_FOLD, stagingColumns, type CaseFold } from '../../src/imports/csv-row-encoder';
import { CsvScanner } from '../../src/imports/csv-scanner';
import { ENTITY_SPECS, type ImportEntity } from '../../src/imports/import-entities';
import type { ImportRowError } from '../../src/imports/import-errors';
import { buildImportSql, stagedValue } from '../../src/imports/import-sql';
import { openTestDb, type TestDb } from './import-helpers';

/** Runs `csv` through the scanner and a RowEncoder; returns the COPY bytes and the errors. */
function encode(entity: ImportEntity, csv: string, caseFold: CaseFold = SIMPLE_CASE_FOLD, cuts: number[] = []) {
  let encoder: RowEncoder | null = null;
  const scanner = new CsvScanner({ maxBytes: 1e9, encoder: (header) => (encoder = new RowEncoder(ENTITY_SPECS[entity], header, { maxErrors: 1000, caseFold })) });
  const buf = Buffer.from(csv, 'utf8');
  const out: Buffer[] = [];
  let prev = 0;
  for (const c of [...cuts.filter((c) => c > 0 && c < buf.length).sort((a, b) => a - b), buf.length]) {
    out.push(scanner.push(buf.subarray(prev, c)));
    prev = c;
  }
  out.push(scanner.end());
  const enc = encoder as unknown as RowEncoder;
  return { copy: Buffer.concat(out), errors: enc.errors, total: enc.totalErrors, rows: enc.rows, scanner };
}

const errorsOf = (entity: ImportEntity, csv: string, caseFold?: CaseFold): ImportRowError[] => encode(entity, csv, caseFold).errors;

/** One column's value on line 2 of an otherwise valid file; its errors. */
function fieldErrors(entity: ImportEntity, column: string, value: string): ImportRowError[] {
  const valid: Record<ImportEntity, Record<string, string>> = {
    teams: { team_id: 'T1', name: 'Team', parent_team_id: '' },
    agents: { agent_id: 'A1', name: 'Ann', email: '', team_id: 'T1', title: '', hired_on: '2026-01-01', left_on: '' },
    customers: { customer_id: 'C1', name: '', segment: '', acquired_on: '2026-01-01', churned_on: '', owner_agent_id: '' },
    assignments: { customer_id: 'C1', agent_id: 'A1', assigned_on: '2026-01-01' },
    orders: { order_id: 'O1', customer_id: 'C1', ordered_at: '2026-01-01', amount: '1', gross_margin: '', status: '' },
    tickets: {
      ticket_id: 'K1',
      customer_id: 'C1',
      agent_id: 'A1',
      team_id: '',
      channel: 'phone',
      category: '',
      opened_at: '2026-01-01',
      first_response_at: '',
      resolved_at: '',
      contact_count: '1',
      reopened: '',
      handle_seconds: '',
      is_complaint: '',
      complaint_category: '',
      complaint_controllable: '',
    },
    surveys: { survey_id: 'S1', customer_id: 'C1', agent_id: 'A1', ticket_id: '', responded_at: '2026-01-01', csat: '5', nps: '', ces: '' },
    training: { training_id: 'W1', agent_id: 'A1', completed_on: '2026-01-01', hours: '1', course: '' },
  };
  const row = { ...valid[entity], [column]: value };
  const quote = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return errorsOf(entity, `${Object.keys(row).join(',')}\n${Object.values(row).map(quote).join(',')}\n`);
}

const reasonOf = (entity: ImportEntity, column: string, value: string): string | null => {
  const errs = fieldErrors(entity, column, value).filter((e) => e.column === column);
  return errs.length ? errs[0].reason : null;
};

describe('RowEncoder: field rules and their reports', () => {
  const TS_SHAPE = 'must be an ISO 8601 timestamp such as 2026-10-31T23:30:00+08:00 or 2026-10-31 23:30:00';

  it('ids: 1–64 characters (counted as characters, not bytes); empty = required', () => {
    expect(reasonOf('orders', 'order_id', 'X'.repeat(64))).toBeNull();
    expect(reasonOf('orders', 'order_id', 'X'.repeat(65))).toBe('id must be 1–64 characters');
    expect(reasonOf('orders', 'order_id', '中'.repeat(64))).toBeNull(); // 192 bytes
    expect(reasonOf('orders', 'order_id', '中'.repeat(65))).toBe('id must be 1–64 characters');
    expect(reasonOf('orders', 'order_id', '😀'.repeat(64))).toBeNull();
    expect(fieldErrors('orders', 'order_id', '')).toEqual([{ line: 2, column: 'order_id', value: null, reason: 'is required' }]);
    expect(reasonOf('orders', 'customer_id', ' ')).toBeNull(); // a blank is a value
  });

  it('integers: shape, range (in the column order of bounds), int4', () => {
    const r = (v: string) => reasonOf('tickets', 'contact_count', v);
    expect(['1', '+1', '007', '2147483647'].map(r)).toEqual([null, null, null, null]);
    expect(['1.0', '1.5', ' 1', '1 ', '1e3', '', '+', '-', '0x10', '١'].map(r)).toEqual([
      'must be a whole number',
      'must be a whole number',
      'must be a whole number',
      'must be a whole number',
      'must be a whole number',
      'is required',
      'must be a whole number',
      'must be a whole number',
      'must be a whole number',
      'must be a whole number',
    ]);
    expect(['0', '-0', '-1', '-99999999999999999999'].map(r)).toEqual(['must be ≥ 1', 'must be ≥ 1', 'must be ≥ 1', 'must be ≥ 1']);
    expect(['2147483648', '99999999999', '99999999999999999999999'].map(r)).toEqual(['is too large', 'is too large', 'is too large']);
    const h = (v: string) => reasonOf('tickets', 'handle_seconds', v);
    expect(['0', '-0', '+0', '00'].map(h)).toEqual([null, null, null, null]);
    expect(h('-1')).toBe('must be ≥ 0');
    const csat = (v: string) => reasonOf('surveys', 'csat', v);
    expect(['1', '5', '0', '6', '-3', '99999999999'].map(csat)).toEqual([null, null, 'must be between 1 and 5', 'must be between 1 and 5', 'must be between 1 and 5', 'must be between 1 and 5']);
    expect(reasonOf('surveys', 'nps', '11')).toBe('must be between 0 and 10');
    expect(reasonOf('surveys', 'ces', '0')).toBe('must be between 1 and 7');
  });

  it('money: shape, at most 2 places, at most 14 integer digits, ≥ 0', () => {
    const r = (v: string) => reasonOf('orders', 'amount', v);
    expect(['0', '0.0', '0.00', '-0', '-0.00', '+1.5', '12.50', '007.10', '99999999999999.99', '00000000000000000001.5'].map(r)).toEqual(Array(10).fill(null));
    expect(['.5', '5.', '1e3', '1,5', '1.2.3', ' 1', 'abc', '--1', '+-1', '١'].map(r)).toEqual(Array(10).fill('must be a decimal number such as 12.50'));
    expect(['12.345', '0.000', '-1.001'].map(r)).toEqual(Array(3).fill('money must have at most 2 decimal places'));
    expect(['100000000000000', '-100000000000000.5', '123456789012345'].map(r)).toEqual(Array(3).fill('is too large (at most 14 digits before the decimal point)'));
    expect(['-0.01', '-1', '-99999999999999.99'].map(r)).toEqual(Array(3).fill('must be ≥ 0'));
    const m = (v: string) => reasonOf('orders', 'gross_margin', v);
    expect(['-5.25', '-99999999999999.99', ''].map(m)).toEqual([null, null, null]);
    expect(m('-100000000000000')).toBe('is too large (at most 14 digits before the decimal point)');
  });

  it('decimals: shape, 2 places, size, > 0', () => {
    const r = (v: string) => reasonOf('training', 'hours', v);
    expect(['0.01', '1', '1.5', '99999999.99', '+2'].map(r)).toEqual(Array(5).fill(null));
    expect(['0', '0.00', '-0', '-1', '-0.5'].map(r)).toEqual(Array(5).fill('must be greater than 0'));
    expect(r('1.255')).toBe('must have at most 2 decimal places');
    expect(r('100000000')).toBe('is too large');
    expect(r('1.5h')).toBe('must be a decimal number such as 1.5');
    expect(r('')).toBe('is required');
  });

  it('dates: shape, then a real calendar date', () => {
    const r = (v: string) => reasonOf('customers', 'acquired_on', v);
    expect(['2024-02-29', '2000-02-29', '0001-01-01', '9999-12-31', '2026-04-30', '2026-12-31'].map(r)).toEqual(Array(6).fill(null));
    expect(['2023-02-29', '1900-02-29', '0000-01-01', '2026-00-10', '2026-13-01', '2026-04-31', '2026-01-32', '2026-01-00', '2026-02-30'].map(r)).toEqual(
      Array(9).fill('is not a real calendar date'),
    );
    expect(['2026-9-15', '2026-09-15 ', '2026/09/15', '26-09-15', '2026-09-15T00:00', '2026-29-01', '2026-01-41'].map(r)).toEqual(Array(7).fill('must be a date YYYY-MM-DD'));
  });

  it('timestamps: the ISO 8601 shape, a real date, an hour ≤ 23', () => {
    const r = (v: string) => reasonOf('orders', 'ordered_at', v);
    const ok = [
      '2026-10-31',
      '2026-10-31T23:30',
      '2026-10-31 23:30',
      '2026-10-31T23:30:59',
      '2026-10-31T23:30:59.5',
      '2026-10-31T23:30:59.123456789',
      '2026-10-31T23:30Z',
      '2026-10-31T23:30:00z',
      '2026-10-31T23:30:00+08',
      '2026-10-31T23:30:00+0800',
      '2026-10-31T23:30:00+08:00',
      '2026-10-31T23:30:00-14:59',
      '2026-10-31T23:30+14',
      '2026-10-31T00:00:00.000000+00:00',
    ];
    expect(ok.map(r)).toEqual(Array(ok.length).fill(null));
    const shape = [
      '2026-10-31t10:00',
      ' 2026-10-31',
      '2026-10-31 ',
      '2026-10-31T',
      '2026-10-31T10',
      '2026-10-31T10:0',
      '2026-10-31T10:60',
      '2026-10-31T30:00',
      '2026-10-31T10:00:60',
      '2026-10-31T10:00:00.',
      '2026-10-31T10:00.5',
      '2026-10-31T10:00:00+15:00',
      '2026-10-31T10:00:00+8',
      '2026-10-31T10:00:00+08:0',
      '2026-10-31T10:00:00+08:60',
      '2026-10-31T10:00:00+08::00',
      '2026-10-31T10:00:00 +08:00',
      '2026-10-31T10:00:00ZZ',
      '2026-10-31Z',
      '2026-10-31+08:00',
      '31/10/2026',
      '2026-10-31T10:00:00.5.5',
      '2026-10-31T10:00:00+08:00:00',
    ];
    expect(shape.map(r)).toEqual(Array(shape.length).fill(TS_SHAPE));
    expect(['2026-02-30T10:00:00Z', '2023-02-29 10:00', '0000-01-01', '2026-13-01'].map(r)).toEqual(Array(4).fill('is not a real calendar date'));
    expect(['2026-10-31T24:00:00Z', '2026-10-31 29:59'].map(r)).toEqual(Array(2).fill('has an invalid time of day'));
  });

  it('booleans and enumerations: case-insensitive, stored lower case; the default when empty', () => {
    const b = (v: string) => reasonOf('tickets', 'reopened', v);
    expect(['true', 'TRUE', 'False', '1', '0', 'yes', 'YES', 'nO', ''].map(b)).toEqual(Array(9).fill(null));
    expect(['maybe', 'tru', 't', 'y', 'true ', '2', 'ｔｒｕｅ'].map(b)).toEqual(Array(7).fill('must be true/false, 1/0 or yes/no'));
    const c = (v: string) => reasonOf('tickets', 'channel', v);
    expect(['phone', 'PHONE', 'In_Person', 'email'].map(c)).toEqual([null, null, null, null]);
    expect(['fax', 'phone ', 'in person', ''].map(c)).toEqual([
      'must be one of: phone, email, chat, social, in_person',
      'must be one of: phone, email, chat, social, in_person',
      'must be one of: phone, email, chat, social, in_person',
      'is required',
    ]);
    expect(reasonOf('orders', 'status', 'pending')).toBe('must be one of: completed, refunded, cancelled');
  });

  it('non-ASCII letters match exactly when the database lower-cases them to ASCII (probed)', () => {
    const csv = 'ticket_id,customer_id,agent_id,channel,opened_at,contact_count,complaint_category,is_complaint\nK1,C1,A1,İN_PERSON,2026-01-01,1,PRİCİNG,1\n';
    // plain (C / ICU-like): U+0130 lower-cases to i + combining dot: no match
    expect(errorsOf('tickets', csv).map((e) => e.column)).toEqual(['channel', 'complaint_category']);
    // glibc / Unicode simple mapping: U+0130 → i
    const dottedI: CaseFold = { lower: [...SIMPLE_CASE_FOLD.lower.slice(0, 26), 'i', 'k'] };
    expect(errorsOf('tickets', csv, dottedI)).toEqual([]);
    // a Turkish collation: I → ı, so 'IN_PERSON' is not in_person
    const turkish: CaseFold = { lower: [...SIMPLE_CASE_FOLD.lower.slice(0, 8), 'ı', ...SIMPLE_CASE_FOLD.lower.slice(9, 26), 'i', 'k'] };
    expect(errorsOf('tickets', csv.replace(/İ/g, 'I'), turkish).map((e) => e.column)).toEqual(['channel', 'complaint_category']);
    expect(errorsOf('tickets', csv.replace(/İ/g, 'I'))).toEqual([]);
  });

  it('row rules: complaint_category when is_complaint is true; at least one of csat, nps, ces', () => {
    const t = (isComplaint: string, category: string) =>
      errorsOf('tickets', `ticket_id,customer_id,agent_id,channel,opened_at,contact_count,is_complaint,complaint_category\nK1,C1,A1,phone,2026-01-01,1,${isComplaint},${category}\n`);
    expect(t('true', '')).toEqual([{ line: 2, column: 'complaint_category', value: null, reason: 'is required when is_complaint is true' }]);
    expect(t('YES', '')).toHaveLength(1);
    expect(t('1', 'pricing')).toEqual([]);
    expect(t('', '')).toEqual([]);
    expect(t('no', '')).toEqual([]);
    // an invalid is_complaint is reported once, without the row rule
    expect(t('perhaps', '').map((e) => e.reason)).toEqual(['must be true/false, 1/0 or yes/no']);
    expect(errorsOf('tickets', 'ticket_id,customer_id,agent_id,channel,opened_at,contact_count\nK1,C1,A1,phone,2026-01-01,1\n')).toEqual([]);
    const s = (csat: string, nps: string) => errorsOf('surveys', `survey_id,customer_id,agent_id,responded_at,csat,nps\nS1,C1,A1,2026-01-01,${csat},${nps}\n`);
    expect(s('', '')).toEqual([{ line: 2, column: null, value: null, reason: 'at least one of csat, nps and ces is required' }]);
    expect(s('', '0')).toEqual([]);
    expect(s('x', '').map((e) => e.reason)).toEqual(['must be a whole number']); // given, though invalid
    expect(errorsOf('surveys', 'survey_id,customer_id,agent_id,responded_at\nS1,C1,A1,2026-01-01\n')).toHaveLength(1);
  });

  it('reports a row’s errors in contract column order (the row-wide one first), lines counted with quoted newlines', () => {
    const csv = 'ces,nps,csat,responded_at,agent_id,customer_id,survey_id\n,,,,A1,"C\n1",\n0,11,6,x,A1,C1,S2\n';
    expect(errorsOf('surveys', csv)).toEqual([
      { line: 2, column: null, value: null, reason: 'at least one of csat, nps and ces is required' },
      { line: 2, column: 'survey_id', value: null, reason: 'is required' },
      { line: 2, column: 'responded_at', value: null, reason: 'is required' },
      { line: 4, column: 'responded_at', value: 'x', reason: TS_SHAPE },
      { line: 4, column: 'csat', value: '6', reason: 'must be between 1 and 5' },
      { line: 4, column: 'nps', value: '11', reason: 'must be between 0 and 10' },
      { line: 4, column: 'ces', value: '0', reason: 'must be between 1 and 7' },
    ]);
  });

  it('unquotes as PostgreSQL does: "" inside quotes, quotes mid-field, quoted empty = null; values cut at 200 characters', () => {
    expect(errorsOf('orders', 'order_id,customer_id,ordered_at,amount\n"O1","C1","2026-01-01","12.5"\n')).toEqual([]);
    expect(reasonOf('orders', 'amount', '"12.5"')).toBe('must be a decimal number such as 12.50'); // the quotes are data
    const csv = 'order_id,customer_id,ordered_at,amount\nO1,C1,"2026-01-01",""\nO2,C1,20"26-01-0"1,"1""2"\n';
    expect(errorsOf('orders', csv)).toEqual([
      { line: 2, column: 'amount', value: null, reason: 'is required' },
      { line: 3, column: 'amount', value: '1"2', reason: 'must be a decimal number such as 12.50' },
    ]);
    const long = '😀'.repeat(250);
    expect(fieldErrors('orders', 'amount', long)[0].value).toBe('😀'.repeat(200));
  });

  it('counts every error and keeps the first maxErrors in file order', () => {
    const rows = Array.from({ length: 1500 }, (_, i) => `O${i},C1,2026-01-01,${i % 2 ? 'x' : '1'}`);
    const r = encode('orders', `order_id,customer_id,ordered_at,amount\n${rows.join('\n')}\n`);
    expect(r.total).toBe(750);
    expect(r.errors.map((e) => e.line)).toEqual(Array.from({ length: 750 }, (_, i) => 3 + 2 * i));
    expect(r.rows).toBe(1500);
  });

  it('writes the same COPY bytes however the input is cut into chunks', () => {
    const csv =
      'ticket_id,customer_id,agent_id,channel,opened_at,contact_count,category,reopened\n' +
      'K1,C1,A1,PHONE,2026-10-31T10:00:00.5+05:30,3,"a, ""b""\nc",yes\r\n' +
      'K2,C1,A1,chat,2026-10-31 10:00,1,,\n' +
      'K3,C1,A1,chat,x,0,\\t\t,maybe\n';
    const whole = encode('tickets', csv);
    fc.assert(
      fc.property(fc.array(fc.nat(csv.length), { maxLength: 6 }), (cuts) => {
        const cut = encode('tickets', csv, SIMPLE_CASE_FOLD, cuts);
        expect(cut.copy.equals(whole.copy)).toBe(true);
        expect(cut.errors).toEqual(whole.errors);
      }),
      { numRuns: 200, seed: 20261123 },
    );
    expect(whole.errors.map((e) => [e.line, e.column])).toEqual([
      [5, 'opened_at'],
      [5, 'contact_count'],
      [5, 'reopened'],
    ]);
  });

  it('rounds fractions of a second as PostgreSQL’s text input: rint(strtod × 10⁶), half to even', () => {
    const f = (s: string) => fractionMicros(Buffer.from(s), 0, s.length);
    expect(['', '5', '123456', '1234564', '1234565', '1234575', '0000005', '0000015', '9999994', '9999995', '99999999999'].map(f)).toEqual([
      0, 500000, 123456, 123456, 123456, 123458, 0, 2, 999999, 1000000, 1000000,
    ]);
  });
});

/**
 * The values COPY stores from the encoder's binary rows are those PostgreSQL's own casts give
 * for the same texts (which the SQL checks and the insert used before): random and edge cases,
 * timestamps in zones with DST gaps and overlaps, at the ends of the calendar.
 */
describe('RowEncoder: binary COPY values equal PostgreSQL’s casts of the texts', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await openTestDb();
  });
  afterAll(async () => {
    await db.drop();
  });

  /** Stages `rows` (column → text) of `entity` in zone `tz`, then runs `check` in the same transaction. */
  async function staged<T>(entity: ImportEntity, tz: string, rows: Record<string, string>[], check: (c: PoolClient) => Promise<T>): Promise<T> {
    const client = await db.pool.connect();
    try {
      await client.query('begin');
      await client.query(`select set_config('TimeZone', $1, true)`, [tz]);
      const caseFold: CaseFold = { lower: (await client.query(lowerProbeSql, [PROBED_LETTERS])).rows[0].lower };
      expect(caseFold.lower.slice(0, 26).join('')).toBe('abcdefghijklmnopqrstuvwxyz');
      const sql = buildImportSql(entity, tz);
      await client.query(sql.createTables);
      const header = Object.keys(rows[0]);
      const quote = (v: string) => (v === '' ? '' : `"${v.replace(/"/g, '""')}"`);
      const csv = `${header.join(',')}\n${rows.map((r) => header.map((h) => quote(r[h])).join(',')).join('\n')}\n`;
      let encoder: RowEncoder | null = null;
      const scanner = new CsvScanner({ maxBytes: 1e9, encoder: (h) => (encoder = new RowEncoder(ENTITY_SPECS[entity], h, { maxErrors: 10, caseFold })) });
      const bytes = Buffer.concat([scanner.push(Buffer.from(csv)), scanner.end()]);
      expect((encoder as unknown as RowEncoder).errors).toEqual([]);
      await pipeline(Readable.from([bytes]), client.query(copyFrom(sql.copy)));
      // the texts, by line (a quoted newline moves the later lines), for PostgreSQL to cast
      await client.query(`create temp table given (line int, col text, v text) on commit drop`);
      const lines: number[] = [];
      const cols: string[] = [];
      const vals: string[] = [];
      let line = 2;
      for (const r of rows) {
        for (const h of header) (lines.push(line), cols.push(h), vals.push(r[h]));
        line += 1 + header.reduce((n, h) => n + r[h].split('\n').length - 1, 0);
      }
      await client.query(`insert into given select * from unnest($1::int[], $2::text[], $3::text[])`, [lines, cols, vals]);
      return await check(client);
    } finally {
      await client.query('rollback');
      client.release();
    }
  }

  /** Lines whose staged value of `column` differs from `given::cast` (null for an empty text). */
  async function mismatches(c: PoolClient, entity: ImportEntity, column: string, cast: string) {
    const col = ENTITY_SPECS[entity].columns.find((x) => x.name === column)!;
    const compared = await c.query(`select count(*)::int as n, (select count(*)::int from given where col = $1) as given from ys_stage s join given g on g.line = s.line and g.col = $1`, [column]);
    expect(compared.rows[0].n).toBe(compared.rows[0].given);
    expect(compared.rows[0].n).toBeGreaterThan(0);
    const { rows } = await c.query(
      `select g.line, g.v as given, (${stagedValue(col)})::text as ours, (nullif(g.v, '')::${cast})::text as theirs
       from ys_stage s join given g on g.line = s.line and g.col = $1
       where (${stagedValue(col)}) is distinct from nullif(g.v, '')::${cast}
          or (${stagedValue(col)})::text is distinct from (nullif(g.v, '')::${cast})::text`,
      [column],
    );
    return rows;
  }

  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  const daysIn = (y: number, m: number) => [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];

  /** Valid ISO timestamps: every part of the shape, years 1–9999 (mostly 1900–2100). */
  const timestamps = fc
    .record({
      year: fc.oneof({ arbitrary: fc.integer({ min: 1900, max: 2100 }), weight: 4 }, { arbitrary: fc.integer({ min: 1, max: 9999 }), weight: 1 }),
      month: fc.integer({ min: 1, max: 12 }),
      day: fc.integer({ min: 1, max: 31 }),
      time: fc.option(
        fc.record({
          sep: fc.constantFrom('T', ' '),
          hour: fc.integer({ min: 0, max: 23 }),
          minute: fc.integer({ min: 0, max: 59 }),
          second: fc.option(fc.record({ s: fc.integer({ min: 0, max: 59 }), frac: fc.option(fc.stringMatching(/^[0-9]{1,9}$/)) })),
          offset: fc.option(
            fc.oneof(
              fc.constantFrom('Z', 'z'),
              fc
                .record({ sign: fc.constantFrom('+', '-'), h: fc.integer({ min: 0, max: 14 }), m: fc.option(fc.integer({ min: 0, max: 59 })), colon: fc.boolean() })
                .map(({ sign, h, m, colon }) => `${sign}${pad(h, 2)}${m === null ? '' : `${colon ? ':' : ''}${pad(m, 2)}`}`),
            ),
          ),
        }),
      ),
    })
    .map(({ year, month, day, time }) => {
      const date = `${pad(year, 4)}-${pad(month, 2)}-${pad(Math.min(day, daysIn(year, month)), 2)}`;
      if (!time) return date;
      const sec = time.second ? `:${pad(time.second.s, 2)}${time.second.frac === null ? '' : `.${time.second.frac}`}` : '';
      return `${date}${time.sep}${pad(time.hour, 2)}:${pad(time.minute, 2)}${sec}${time.offset ?? ''}`;
    });

  const EDGE_TIMESTAMPS = [
    // America/New_York: gap 2026-03-08 02:00–03:00, overlap 2026-11-01 01:00–02:00
    '2026-03-08 01:59:59.9999999',
    '2026-03-08 02:00',
    '2026-03-08 02:30',
    '2026-03-08 02:59:59.9999995',
    '2026-03-08 03:00',
    '2026-11-01 00:59:59.9999999', // rounds into the overlap: the offset of 00:59:59 (EDT) applies
    '2026-11-01 00:59:59.9999994',
    '2026-11-01 01:00',
    '2026-11-01 01:30',
    '2026-11-01 01:59:59.9999995',
    '2026-11-01 02:00',
    // Europe/Dublin (negative DST), Australia/Lord_Howe (30 min), America/Sao_Paulo (midnight changes), Pacific/Apia (a skipped day)
    '2026-03-29 01:00',
    '2026-10-25 01:30',
    '2026-04-05 01:45',
    '2026-10-04 02:15',
    '2018-11-04',
    '2018-11-04 00:30',
    '2018-02-17 23:59:59.9999999',
    '2011-12-30',
    '2011-12-29 23:59:59.99999999',
    // the calendar's ends, centuries, fractions that round to the next second or day
    '0001-01-01',
    '0001-01-01T00:00:00+14',
    '0001-01-01T00:00:00-14:59',
    '9999-12-31 23:59:59.999999',
    '9999-12-31T23:59:59.9999999Z',
    '1727-01-01 00:00:00.5',
    '2273-12-31 23:59:59.5',
    '1600-02-29',
    '2000-02-29 12:00',
    '1969-12-31 23:59:59.9999996+00:00',
    '2026-12-31 23:59:59.9999995',
    '2026-12-31 23:59:59.9999995Z',
    '2026-12-31 23:59:59.0000005',
    '2026-12-31 23:59:59.0000015',
    '2026-12-31 23:59:59.00000049999999999',
  ];

  const ZONES = ['UTC', 'America/New_York', 'Asia/Shanghai', 'Europe/Dublin', 'Australia/Lord_Howe', 'America/Sao_Paulo', 'Pacific/Apia', 'Asia/Kathmandu'];

  it.each(ZONES)('timestamps in %s', async (tz) => {
    const values = [...EDGE_TIMESTAMPS, ...fc.sample(timestamps, { numRuns: 1500, seed: 7 })];
    const rows = values.map((v, i) => ({ order_id: `O${i}`, customer_id: 'C1', ordered_at: v, amount: '1' }));
    const bad = await staged('orders', tz, rows, (c) => mismatches(c, 'orders', 'ordered_at', 'timestamptz'));
    expect(bad).toEqual([]);
  });

  it('money and decimals: numeric(16,2) and numeric(10,2) as numeric_in gives them', async () => {
    const decimals = (intDigits: number, signed: boolean) =>
      fc
        .record({
          sign: signed ? fc.constantFrom('', '-', '+') : fc.constantFrom('', '+'),
          zeros: fc.constantFrom('', '', '', '0', '000'),
          int: fc.stringMatching(new RegExp(`^[0-9]{1,${intDigits}}$`)),
          frac: fc.option(fc.stringMatching(/^[0-9]{1,2}$/)),
        })
        .map(({ sign, zeros, int, frac }) => `${sign}${zeros}${int}${frac === null ? '' : `.${frac}`}`);
    const edges = ['0', '0.0', '0.00', '-0', '-0.00', '0.01', '0.10', '1.00', '10000', '9999.99', '10000.01', '99999999999999.99', '12345678901234.5', '0001', '1.5', '100000000.00'];
    const amounts = [...edges.filter((v) => !v.startsWith('-') && !v.startsWith('100000000.')), ...fc.sample(decimals(14, false), { numRuns: 1500, seed: 11 })];
    const margins = [...edges.filter((v) => !v.startsWith('100000000.')), ...fc.sample(decimals(14, true), { numRuns: amounts.length - 15, seed: 12 })];
    const rows = amounts.map((a, i) => ({ order_id: `O${i}`, customer_id: 'C1', ordered_at: '2026-01-01', amount: a, gross_margin: margins[i] ?? '' }));
    await staged('orders', 'UTC', rows, async (c) => {
      expect(await mismatches(c, 'orders', 'amount', 'numeric(16,2)')).toEqual([]);
      expect(await mismatches(c, 'orders', 'gross_margin', 'numeric(16,2)')).toEqual([]);
    });
    const hours = ['0.01', '1', '1.5', '99999999.99', '+2.5', '007.25', ...fc.sample(decimals(8, false), { numRuns: 500, seed: 13 }).filter((v) => Number(v) > 0)];
    const trainings = hours.map((h, i) => ({ training_id: `W${i}`, agent_id: 'A1', completed_on: '2026-01-01', hours: h }));
    expect(await staged('training', 'UTC', trainings, (c) => mismatches(c, 'training', 'hours', 'numeric(10,2)'))).toEqual([]);
  });

  it('dates, integers, booleans, enumerations and texts (escapes, quotes, newlines, any script)', async () => {
    const dates = fc.sample(timestamps.map((t) => t.slice(0, 10)), { numRuns: 800, seed: 21 });
    const customers = ['0001-01-01', '9999-12-31', '2000-01-01', '1999-12-31', '2000-02-29', ...dates].map((d, i) => ({
      customer_id: `C${i}`,
      name: ['tab\there', 'back\\slash \\N', 'quote "q" and, comma', 'line\nbreak\r\nand CR\r', '华东客服一组 🚀', '\\.', ''][i % 7],
      acquired_on: d,
      churned_on: i % 3 ? '' : d,
    }));
    await staged('customers', 'Asia/Shanghai', customers, async (c) => {
      expect(await mismatches(c, 'customers', 'acquired_on', 'date')).toEqual([]);
      expect(await mismatches(c, 'customers', 'churned_on', 'date')).toEqual([]);
      expect(await mismatches(c, 'customers', 'name', 'text')).toEqual([]);
    });
    const ints = ['1', '+1', '007', '2147483647', '+2147483647', ...fc.sample(fc.integer({ min: 1, max: 2147483647 }).map(String), { numRuns: 500, seed: 31 })];
    const words = ['true', 'TRUE', 'False', '1', '0', 'yes', 'No', ''];
    const channels = ['phone', 'EMAIL', 'Chat', 'sOcIaL', 'in_person', 'IN_PERSON', 'İn_Person'];
    const tickets = ints.map((n, i) => ({
      ticket_id: `K${i}`,
      customer_id: 'C1',
      agent_id: 'A1',
      channel: channels[i % channels.length],
      opened_at: '2026-01-01',
      contact_count: n,
      handle_seconds: i % 4 ? `${i % 2 ? '-' : ''}0` : String(i * 7),
      reopened: words[i % words.length],
      is_complaint: words[(i + 3) % words.length],
      complaint_category: ['failure_response', 'PRICING', 'Other'][i % 3],
      complaint_controllable: words[(i + 5) % words.length],
    }));
    await staged('tickets', 'UTC', tickets, async (c) => {
      expect(await mismatches(c, 'tickets', 'contact_count', 'int')).toEqual([]);
      expect(await mismatches(c, 'tickets', 'handle_seconds', 'int')).toEqual([]);
      expect(await mismatches(c, 'tickets', 'complaint_controllable', 'boolean')).toEqual([]);
      const { rows } = await c.query(
        `select count(*)::int as n from ys_stage s
         join given r on r.line = s.line and r.col = 'reopened'
         join given ch on ch.line = s.line and ch.col = 'channel'
         join given cc on cc.line = s.line and cc.col = 'complaint_category'
         where s.reopened is distinct from coalesce(nullif(r.v, '')::boolean, false)
            or s.channel is distinct from lower(ch.v)
            or s.complaint_category is distinct from lower(nullif(cc.v, ''))
            or s.is_complaint is null`,
      );
      expect(rows[0].n).toBe(0);
    });
  });

  it('the staging table has the encoder’s columns', async () => {
    for (const entity of Object.keys(ENTITY_SPECS) as ImportEntity[]) {
      const client = await db.pool.connect();
      try {
        await client.query('begin');
        await client.query(buildImportSql(entity, 'UTC').createTables);
        const { rows } = await client.query(
          `select attname, format_type(atttypid, atttypmod) as type, (select collname from pg_collation where oid = attcollation) as collation
             from pg_attribute where attrelid = 'ys_stage'::regclass and attnum > 0 order by attnum`,
        );
        const expected = stagingColumns(ENTITY_SPECS[entity]).map((c) => {
          const [type, collation] = c.type.split(' collate ');
          return {
            attname: c.name,
            type: type.replace(/^int$/, 'integer').replace(/^timestamp$/, 'timestamp without time zone').replace(/^timestamptz$/, 'timestamp with time zone'),
            collation: collation ? JSON.parse(collation) : type === 'text' ? 'default' : null,
          };
        });
        expect(rows).toEqual([{ attname: 'line', type: 'integer', collation: null }, ...expected]);
        // ids are staged byte-wise, as the tables' id columns compare them
        const ids = ENTITY_SPECS[entity].columns.filter((c) => c.type === 'id').map((c) => c.name);
        expect(ids.length).toBeGreaterThan(0);
        for (const id of ids) expect(rows.find((r) => r.attname === id)).toMatchObject({ type: 'text', collation: 'C' });
      } finally {
        await client.query('rollback');
        client.release();
      }
    }
  });
});

import type { ColumnSpec, EntitySpec, RowRule } from './import-entities';
import type { ImportRowError } from './import-errors';

/**
 * Field rules of the data contract, checked in JavaScript while PostgreSQL consumes the COPY
 * (the scanner runs on the otherwise idle core), and the typed COPY rows they produce.
 *
 * The CsvScanner hands each complete record (valid UTF-8, the header's number of fields) to
 * the encoder, which
 *  - splits it into fields and unquotes them exactly as PostgreSQL's CSV reader does (every
 *    quote toggles the in-quotes state, `""` inside quotes is one quote; an empty field,
 *    quoted or not, is null);
 *  - checks every field against its column (required, id length, shapes of numbers, dates and
 *    timestamps, real calendar dates, time of day, decimal places, sizes, ranges, booleans,
 *    enumerations) and the row rules that need no database (requiredWhen, atLeastOne),
 *    reporting each broken rule with the file line, column, value and reason — the texts are
 *    part of the contract's reports and pinned by test/fixtures/import/invalid;
 *  - writes the row in COPY's binary format, in the staging table's column order
 *    (stagingColumns), so that PostgreSQL parses nothing: ids and free text as given,
 *    enumerations in lower case, booleans, the columns' defaults for empty fields, integers,
 *    numerics (base-10000 digits of the exact decimal), dates (days since 2000-01-01) and
 *    timestamps. A timestamp with an offset is an exact instant (µs since 2000-01-01 UTC); one
 *    without is local time in ORG_TIMEZONE, which only PostgreSQL's time zone rules can place:
 *    it is staged as `timestamp` (wall-clock µs) and converted with `::timestamptz` under the
 *    transaction's TimeZone — timestamp2timestamptz calls the same DetermineTimeZoneOffset on
 *    the same fields as the text input did (gaps: the offset before, ambiguous: after). The
 *    one case where they differ, a fraction rounding up to the next second (≥ .9999995 s,
 *    which the text input applies after choosing the offset), is staged as text and cast.
 *    Fractions are rounded as the text input does: rint(strtod(".ddd") × 10⁶).
 *
 * A row with an error is still written (the file fails anyway): its ids and texts as given,
 * so that the set-based checks in SQL (duplicate ids, references, cycles, e-mails) report on
 * it exactly as before, and NULL in every field that broke a rule, so that COPY never sees an
 * invalid value and a rule comparing two fields (notBefore) skips it.
 *
 * test/imports/csv-row-encoder.test.ts checks every rule and message, and compares the
 * values written with PostgreSQL's own casts of the same texts (random and edge cases, in
 * several time zones).
 *
 * Every check is hand-written char-code parsing over the record's bytes; nothing allocates
 * per field unless the field is quoted (unquoted into a scratch buffer) or reported.
 */

export interface RecordEncoder {
  /** Upper bound of the bytes `encode` writes for a record of `recordBytes` bytes. */
  maxOutput(recordBytes: number): number;
  /**
   * Writes the COPY row of record `rec[s, e)` (file line `line`) at `out[pos]`; returns the
   * end. `separators`, when given, holds the positions in `rec` of the commas between the
   * fields of a record without any quote (the scanner found them); otherwise the encoder
   * splits the record itself.
   */
  encode(line: number, rec: Buffer, s: number, e: number, separators: Int32Array | null, out: Buffer, pos: number): number;
  /** Bytes COPY receives before the first row (binary format's header) */
  begin?(): Buffer;
  /** … and after the last one */
  finish?(): Buffer;
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const DOT = 0x2e;
const MINUS = 0x2d;
const PLUS = 0x2b;
const COLON = 0x3a;
const D0 = 0x30;

/** Writes a non-negative int32 in decimal; returns the end. */
export function writeUint(out: Buffer, pos: number, v: number): number {
  let digits = 1;
  for (let t = v; t >= 10; t = (t / 10) | 0) digits++;
  for (let k = digits - 1, t = v; k >= 0; k--, t = (t / 10) | 0) out[pos + k] = D0 + (t % 10);
  return pos + digits;
}

/** The scanner's default: the record as given (CSV), prefixed with its line number. */
export class CsvLineEncoder implements RecordEncoder {
  maxOutput(recordBytes: number): number {
    return recordBytes + 13;
  }

  encode(line: number, rec: Buffer, s: number, e: number, _separators: Int32Array | null, out: Buffer, pos: number): number {
    pos = writeUint(out, pos, line);
    out[pos++] = COMMA;
    pos += rec.copy(out, pos, s, e);
    out[pos++] = LF;
    return pos;
  }
}

/**
 * How the database's lower() maps the letters that matter for case-insensitive matching:
 * A–Z, and the two non-ASCII letters whose lower case can be ASCII (U+0130 İ → i under
 * glibc and Unicode simple mapping, U+212A Kelvin sign → k). Every other character's lower
 * case is not ASCII, so it never matches an enumeration value or boolean word. Probed once
 * per import (`lowerProbeSql`), so the JS matching is the SQL `lower(v) in (…)` whatever the
 * database's collation.
 */
export interface CaseFold {
  /** lower() of 'A'…'Z', then of U+0130 and U+212A */
  lower: readonly string[];
}

export const PROBED_LETTERS = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ', '\u0130', '\u212A'];

/** The query (one parameter: PROBED_LETTERS) returning CaseFold's `lower`, in the database's default collation. */
export const lowerProbeSql = `select array(select lower(c) from unnest($1::text[]) with ordinality as p(c, i) order by i) as lower`;

/** A–Z plainly, U+0130 to i + U+0307 (as ICU and JavaScript), U+212A to k: the default when the database was not asked. */
export const SIMPLE_CASE_FOLD: CaseFold = { lower: [...'abcdefghijklmnopqrstuvwxyz', '\u0130'.toLowerCase(), 'k'] };

const enum Kind {
  Id,
  Text,
  Date,
  Timestamp,
  Money,
  Decimal,
  Integer,
  Boolean,
  Enum,
}

const KINDS: Record<ColumnSpec['type'], Kind> = {
  id: Kind.Id,
  text: Kind.Text,
  date: Kind.Date,
  timestamp: Kind.Timestamp,
  money: Kind.Money,
  decimal: Kind.Decimal,
  integer: Kind.Integer,
  boolean: Kind.Boolean,
  enum: Kind.Enum,
};

/** numeric(16,2): at most 14 digits before the point; numeric(10,2): at most 8 */
const MONEY_LIMIT = 1e14;
const DECIMAL_LIMIT = 1e8;
const INT4_MAX = 2147483647;
/** Integer magnitudes are exact doubles below 2^53; beyond every bound we compare with. */
const MAG_CAP = 1e15;

const TRUE_WORDS = ['true', '1', 'yes'];
const FALSE_WORDS = ['false', '0', 'no'];

export const REASONS = {
  required: 'is required',
  idLength: 'id must be 1–64 characters',
  wholeNumber: 'must be a whole number',
  tooLarge: 'is too large',
  moneyShape: 'must be a decimal number such as 12.50',
  moneyPlaces: 'money must have at most 2 decimal places',
  moneyTooLarge: 'is too large (at most 14 digits before the decimal point)',
  decimalShape: 'must be a decimal number such as 1.5',
  decimalPlaces: 'must have at most 2 decimal places',
  boolean: 'must be true/false, 1/0 or yes/no',
  dateShape: 'must be a date YYYY-MM-DD',
  realDate: 'is not a real calendar date',
  timestampShape: 'must be an ISO 8601 timestamp such as 2026-10-31T23:30:00+08:00 or 2026-10-31 23:30:00',
  timeOfDay: 'has an invalid time of day',
} as const;

export function rangeText(col: ColumnSpec): string {
  if (col.min !== undefined && col.max !== undefined) return `must be between ${col.min} and ${col.max}`;
  if (col.min !== undefined) return `must be ≥ ${col.min}`;
  if (col.greaterThan !== undefined) return `must be greater than ${col.greaterThan}`;
  return `must be ≤ ${col.max}`;
}

export function enumText(col: ColumnSpec): string {
  return `must be one of: ${col.enumValues!.join(', ')}`;
}

export function rowRuleText(rule: RowRule): string {
  switch (rule.kind) {
    case 'requiredWhen':
      return `is required when ${rule.when} is true`;
    case 'atLeastOne':
      return `at least one of ${rule.columns.slice(0, -1).join(', ')} and ${rule.columns.at(-1)} is required`;
    case 'notBefore':
      return `must not be before ${rule.than}`;
  }
}

/** The staging table's column(s) of a contract column, in the order the RowEncoder writes them. */
function stagedColumnsOf(col: ColumnSpec): { name: string; type: string }[] {
  switch (col.type) {
    case 'id':
      // compared with the tables' id columns, which are all collate "C"
      return [{ name: col.name, type: 'text collate "C"' }];
    case 'text':
    case 'enum':
      return [{ name: col.name, type: 'text' }];
    case 'integer':
      return [{ name: col.name, type: 'int' }];
    case 'money':
      return [{ name: col.name, type: 'numeric(16,2)' }];
    case 'decimal':
      return [{ name: col.name, type: 'numeric(10,2)' }];
    case 'boolean':
      return [{ name: col.name, type: 'boolean' }];
    case 'date':
      return [{ name: col.name, type: 'date' }];
    case 'timestamp':
      // an instant (offset given) or a local time, or — rarely — the text (see the header)
      return [
        { name: col.name, type: 'timestamptz' },
        { name: localColumnName(col.name), type: 'timestamp' },
        { name: textColumnName(col.name), type: 'text' },
      ];
  }
}

/** The staging table's extra text column holding a value as given (see rawColumns). */
export function rawColumnName(column: string): string {
  return `_given_${column}`;
}

export function localColumnName(column: string): string {
  return `_local_${column}`;
}

export function textColumnName(column: string): string {
  return `_text_${column}`;
}

/** The staging table's columns after `line`, in the order the RowEncoder writes them. */
export function stagingColumns(spec: EntitySpec): { name: string; type: string }[] {
  return [...spec.columns.flatMap(stagedColumnsOf), ...rawColumns(spec).map((c) => ({ name: rawColumnName(c), type: 'text' }))];
}

/**
 * The columns whose text as given (valid or not) the staging table keeps besides the typed
 * value: those a notBefore rule reports, and the typed parts of the key, which the duplicate
 * check compares and reports as given (assignments.assigned_on).
 */
export function rawColumns(spec: EntitySpec): string[] {
  const out = new Set<string>();
  for (const r of spec.rowRules ?? []) if (r.kind === 'notBefore') out.add(r.column);
  for (const k of spec.key) {
    const col = spec.columns.find((c) => c.name === k)!;
    if (col.type !== 'id' && col.type !== 'text') out.add(k);
  }
  return [...out];
}

interface ColumnPlan {
  name: string;
  /** position in the contract's column order (the order of errors within a line) */
  order: number;
  /** field index in the file, -1 when the header lacks the column (null) */
  field: number;
  kind: Kind;
  required: boolean;
  /** enumeration values / boolean words (lower case, ASCII) as bytes */
  words: Buffer[];
  /** the binary field (length and data) written for the k-th word: the value, or the boolean */
  wordOut: Buffer[];
  /** the binary field(s) written for an empty field: the default, or NULL */
  nullOut: Buffer;
  reasonRange: string;
  reasonEnum: string;
  /** the column's bounds (flags and values, one shape for every column) */
  range: Bounds;
}

interface Bounds {
  hasMin: boolean;
  min: number;
  hasGreaterThan: boolean;
  greaterThan: number;
  hasMax: boolean;
  max: number;
}

/** Field check outcome: OK, or which rule broke. */
const enum R {
  Ok = 0,
  Required,
  IdLength,
  Shape,
  Places,
  TooLarge,
  Range,
  RealDate,
  TimeOfDay,
  Word,
}

export interface RowEncoderOptions {
  /** keep the first this many errors (in line order); all are counted */
  maxErrors: number;
  caseFold?: CaseFold;
}

/** COPY binary: signature, flags, header extension length; the trailer is a field count of -1. */
const BINARY_HEADER = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);
const BINARY_TRAILER = Buffer.from([0xff, 0xff]);
const NULL_FIELD = Buffer.from([0xff, 0xff, 0xff, 0xff]);

/** A binary field: length, then data. */
function field(data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeInt32BE(data.length);
  return Buffer.concat([len, data]);
}

/**
 * The field checks and binary COPY rows of one file. `header` are the file's (checked) column
 * names; each row has the staging columns `line, <stagingColumns(spec)…>`.
 */
export class RowEncoder implements RecordEncoder {
  /** the first `maxErrors` broken field and row rules, in file order */
  readonly errors: ImportRowError[] = [];
  totalErrors = 0;
  /** rows written (with or without errors) */
  rows = 0;

  private readonly plans: ColumnPlan[];
  private readonly raw: ColumnPlan[];
  private readonly nFields: number;
  /** fields per row: line + the staging columns */
  private readonly nOut: number;
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  private readonly quoted: Uint8Array;
  private scratch: Buffer = Buffer.alloc(1024);
  /** per contract column of the current row: 1 when it broke a rule */
  private readonly bad: Uint8Array;
  private rowErrors: { order: number; error: ImportRowError }[] = [];
  private readonly requiredWhen: { column: ColumnPlan; when: ColumnPlan; reason: string }[] = [];
  private readonly atLeastOne: { columns: ColumnPlan[]; reason: string }[] = [];
  private readonly fold: (s: string) => string;
  private readonly asciiFold: boolean;

  constructor(
    readonly spec: EntitySpec,
    header: readonly string[],
    private readonly opts: RowEncoderOptions,
  ) {
    const fieldOf = new Map(header.map((h, i) => [h, i]));
    this.nFields = header.length;
    this.nOut = 1 + stagingColumns(spec).length;
    this.starts = new Int32Array(header.length);
    this.ends = new Int32Array(header.length);
    this.quoted = new Uint8Array(header.length);
    this.bad = new Uint8Array(spec.columns.length);
    this.plans = spec.columns.map((col, order) => {
      const kind = KINDS[col.type];
      let words: string[] = [];
      let wordOut: Buffer[] = [];
      if (kind === Kind.Boolean) {
        words = [...TRUE_WORDS, ...FALSE_WORDS];
        wordOut = [...TRUE_WORDS.map(() => field(Buffer.from([1]))), ...FALSE_WORDS.map(() => field(Buffer.from([0])))];
      } else if (kind === Kind.Enum) {
        words = [...col.enumValues!];
        wordOut = words.map((w) => field(Buffer.from(w, 'utf8')));
      }
      const width = stagedColumnsOf(col).length;
      if (col.defaultValue !== undefined && kind !== Kind.Enum && kind !== Kind.Boolean) throw new Error(`${col.name}: only enumerations and booleans have defaults`);
      const nullOut =
        col.defaultValue === undefined
          ? Buffer.concat(Array.from({ length: width }, () => NULL_FIELD))
          : typeof col.defaultValue === 'boolean'
            ? field(Buffer.from([col.defaultValue ? 1 : 0]))
            : field(Buffer.from(col.defaultValue, 'utf8'));
      return {
        name: col.name,
        order,
        field: fieldOf.get(col.name) ?? -1,
        kind,
        required: col.required,
        words: words.map((w) => Buffer.from(w, 'latin1')),
        wordOut,
        nullOut,
        reasonRange: col.min !== undefined || col.max !== undefined || col.greaterThan !== undefined ? rangeText(col) : '',
        reasonEnum: kind === Kind.Enum ? enumText(col) : '',
        range: {
          hasMin: col.min !== undefined,
          min: col.min ?? 0,
          hasGreaterThan: col.greaterThan !== undefined,
          greaterThan: col.greaterThan ?? 0,
          hasMax: col.max !== undefined,
          max: col.max ?? 0,
        },
      };
    });
    const byName = new Map(this.plans.map((p) => [p.name, p]));
    this.raw = rawColumns(spec).map((c) => byName.get(c)!);
    for (const rule of spec.rowRules ?? []) {
      if (rule.kind === 'requiredWhen') this.requiredWhen.push({ column: byName.get(rule.column)!, when: byName.get(rule.when)!, reason: rowRuleText(rule) });
      if (rule.kind === 'atLeastOne') this.atLeastOne.push({ columns: rule.columns.map((c) => byName.get(c)!), reason: rowRuleText(rule) });
    }
    const lower = (opts.caseFold ?? SIMPLE_CASE_FOLD).lower;
    this.asciiFold = lower.slice(0, 26).every((l, i) => l === String.fromCharCode(0x61 + i));
    const map = new Map(PROBED_LETTERS.map((c, i) => [c, lower[i]]));
    this.fold = (s) => {
      let out = '';
      for (const ch of s) out += map.get(ch) ?? ch; // other letters: never ASCII in lower case
      return out;
    };
  }

  begin(): Buffer {
    return BINARY_HEADER;
  }

  finish(): Buffer {
    return BINARY_TRAILER;
  }

  maxOutput(recordBytes: number): number {
    // field count and lengths; typed values (≤ 24 bytes: numeric(16,2) is 8 + 2 × 5) and
    // defaults (≤ 64); texts as given, once more for raw columns and a timestamp's text
    return 2 + 4 * this.nOut + 64 * this.plans.length + recordBytes * (2 + this.raw.length);
  }

  encode(line: number, rec: Buffer, s: number, e: number, separators: Int32Array | null, out: Buffer, pos: number): number {
    if (separators === null) this.split(rec, s, e);
    else {
      const n = this.nFields;
      const starts = this.starts;
      const ends = this.ends;
      starts[0] = s;
      for (let k = 0; k < n - 1; k++) {
        ends[k] = separators[k];
        starts[k + 1] = separators[k] + 1;
      }
      ends[n - 1] = e;
      this.quoted.fill(0);
    }
    const plans = this.plans;
    const bad = this.bad;
    pos = putInt16(out, pos, this.nOut);
    pos = putInt32(out, pos, 4);
    pos = putInt32(out, pos, line);
    for (let k = 0; k < plans.length; k++) {
      const p = plans[k];
      bad[k] = 0;
      let buf = rec;
      let fs = 0;
      let fe = 0;
      if (p.field >= 0) {
        fs = this.starts[p.field];
        fe = this.ends[p.field];
        if (this.quoted[p.field] === 1) buf = this.scratch;
      }
      if (fe === fs) {
        // empty = null: required, else the default or NULL
        if (p.required) {
          bad[k] = 1;
          this.rowError(line, p, null, REASONS.required);
        }
        pos = put(out, pos, p.nullOut, 0, p.nullOut.length);
        continue;
      }
      let r: R;
      switch (p.kind) {
        case Kind.Id:
          // an id that is too long is written all the same: the duplicate check reports it too
          pos = putText(out, pos, buf, fs, fe);
          if (fe - fs > 64 && charCount(buf, fs, fe) > 64) {
            bad[k] = 1;
            this.rowError(line, p, buf.toString('utf8', fs, fe), REASONS.idLength);
          }
          continue;
        case Kind.Text:
          pos = putText(out, pos, buf, fs, fe);
          continue;
        case Kind.Enum:
        case Kind.Boolean: {
          const w = matchWord(p.words, buf, fs, fe, this.asciiFold, this.fold);
          if (w >= 0) {
            pos = put(out, pos, p.wordOut[w], 0, p.wordOut[w].length);
            continue;
          }
          r = R.Word;
          break;
        }
        case Kind.Date:
          r = checkDate(buf, fs, fe);
          if (r === R.Ok) {
            pos = putInt32(out, pos, 4);
            pos = putInt32(out, pos, daysSince2000(V.year, V.month, V.day));
            continue;
          }
          break;
        case Kind.Timestamp:
          r = checkTimestamp(buf, fs, fe);
          if (r === R.Ok) {
            pos = putTimestamp(out, pos, buf, fs, fe);
            continue;
          }
          break;
        case Kind.Integer:
          r = checkInteger(buf, fs, fe, p.range);
          if (r === R.Ok) {
            pos = putInt32(out, pos, 4);
            pos = putInt32(out, pos, V.neg ? -V.mag : V.mag);
            continue;
          }
          break;
        case Kind.Money:
        case Kind.Decimal:
          r = checkDecimal(buf, fs, fe, p.range, p.kind === Kind.Money ? MONEY_LIMIT : DECIMAL_LIMIT);
          if (r === R.Ok) {
            pos = putNumeric(out, pos, buf);
            continue;
          }
          break;
      }
      bad[k] = 1;
      this.rowError(line, p, buf.toString('utf8', fs, fe), this.reason(p, r));
      pos = put(out, pos, NULL_FIELD, 0, 4);
      if (p.kind === Kind.Timestamp) {
        pos = put(out, pos, NULL_FIELD, 0, 4);
        pos = put(out, pos, NULL_FIELD, 0, 4);
      }
    }
    for (const p of this.raw) {
      if (p.field < 0 || this.starts[p.field] === this.ends[p.field]) pos = put(out, pos, NULL_FIELD, 0, 4);
      else pos = putText(out, pos, this.quoted[p.field] === 1 ? this.scratch : rec, this.starts[p.field], this.ends[p.field]);
    }
    if (this.requiredWhen.length || this.atLeastOne.length) this.rowRules(line, rec);
    if (this.rowErrors.length) this.flushRowErrors();
    this.rows++;
    return pos;
  }

  /** requiredWhen / atLeastOne, on the fields as given (empty = null). */
  private rowRules(line: number, rec: Buffer): void {
    for (const rule of this.requiredWhen) {
      if (!this.isEmpty(rule.column) || this.bad[rule.when.order] === 1) continue;
      // as the SQL rule had it: `when` given, valid and true
      const w = rule.when;
      if (this.isEmpty(w)) continue;
      const buf = this.quoted[w.field] === 1 ? this.scratch : rec;
      if (matchWord(w.words, buf, this.starts[w.field], this.ends[w.field], this.asciiFold, this.fold) < TRUE_WORDS.length) {
        this.rowError(line, rule.column, null, rule.reason);
      }
    }
    for (const rule of this.atLeastOne) {
      if (rule.columns.every((c) => this.isEmpty(c))) this.rowError(line, null, null, rule.reason);
    }
  }

  private isEmpty(p: ColumnPlan): boolean {
    return p.field < 0 || this.starts[p.field] === this.ends[p.field];
  }

  private reason(p: ColumnPlan, r: R): string {
    switch (r) {
      case R.IdLength:
        return REASONS.idLength;
      case R.Shape:
        return p.kind === Kind.Integer
          ? REASONS.wholeNumber
          : p.kind === Kind.Money
            ? REASONS.moneyShape
            : p.kind === Kind.Decimal
              ? REASONS.decimalShape
              : p.kind === Kind.Date
                ? REASONS.dateShape
                : REASONS.timestampShape;
      case R.Places:
        return p.kind === Kind.Money ? REASONS.moneyPlaces : REASONS.decimalPlaces;
      case R.TooLarge:
        return p.kind === Kind.Money ? REASONS.moneyTooLarge : REASONS.tooLarge;
      case R.Range:
        return p.reasonRange;
      case R.RealDate:
        return REASONS.realDate;
      case R.TimeOfDay:
        return REASONS.timeOfDay;
      case R.Word:
        return p.kind === Kind.Boolean ? REASONS.boolean : p.reasonEnum;
      default:
        return REASONS.required;
    }
  }

  private rowError(line: number, p: ColumnPlan | null, value: string | null, reason: string): void {
    this.rowErrors.push({ order: p ? p.order : -1, error: { line, column: p ? p.name : null, value: value === null ? null : left200(value), reason } });
  }

  /** A row's errors in the report's order: contract column order, the row-wide one first. */
  private flushRowErrors(): void {
    const errs = this.rowErrors;
    if (errs.length > 1) errs.sort((a, b) => a.order - b.order);
    for (const { error } of errs) {
      this.totalErrors++;
      if (this.errors.length < this.opts.maxErrors) this.errors.push(error);
    }
    this.rowErrors = [];
  }

  /** Splits rec[s, e) into the fields' spans; quoted fields are unquoted into `scratch`. */
  private split(rec: Buffer, s: number, e: number): void {
    const starts = this.starts;
    const ends = this.ends;
    const quoted = this.quoted;
    let f = 0;
    let fs = s;
    let inQuote = false;
    let anyQuote = false;
    for (let i = s; i < e; i++) {
      const c = rec[i];
      if (c === COMMA) {
        if (!inQuote) {
          starts[f] = fs;
          ends[f] = i;
          quoted[f++] = anyQuote ? 1 : 0;
          fs = i + 1;
          anyQuote = false;
        }
      } else if (c === QUOTE) {
        inQuote = !inQuote;
        anyQuote = true;
      }
    }
    starts[f] = fs;
    ends[f] = e;
    quoted[f++] = anyQuote ? 1 : 0;
    if (f !== this.nFields) throw new Error(`internal: record has ${f} fields, expected ${this.nFields}`);
    // unquote (rare): `"` toggles quoting, `""` inside quotes is one `"`
    let sp = 0;
    for (let k = 0; k < f; k++) {
      if (quoted[k] === 0) continue;
      if (this.scratch.length < sp + (ends[k] - starts[k])) {
        const bigger = Buffer.alloc(Math.max(this.scratch.length * 2, sp + (e - s)));
        this.scratch.copy(bigger, 0, 0, sp);
        this.scratch = bigger;
      }
      const scratch = this.scratch;
      const from = sp;
      let q = false;
      for (let i = starts[k], end = ends[k]; i < end; i++) {
        const c = rec[i];
        if (c === QUOTE) {
          if (q && i + 1 < end && rec[i + 1] === QUOTE) {
            scratch[sp++] = QUOTE;
            i++;
          } else q = !q;
        } else scratch[sp++] = c;
      }
      starts[k] = from;
      ends[k] = sp;
    }
  }
}

/** PostgreSQL's left(v, 200): the first 200 characters (code points). */
function left200(v: string): string {
  if (v.length <= 200) return v;
  let out = '';
  let n = 0;
  for (const ch of v) {
    if (n++ === 200) break;
    out += ch;
  }
  return out;
}

/** Characters (code points) of valid UTF-8: the bytes that are not continuation bytes. */
function charCount(b: Buffer, s: number, e: number): number {
  let n = 0;
  for (let i = s; i < e; i++) if ((b[i] & 0xc0) !== 0x80) n++;
  return n;
}

// ---------------------------------------------------------------------------------------------
// Binary output
// ---------------------------------------------------------------------------------------------

function putInt16(out: Buffer, pos: number, v: number): number {
  out[pos] = (v >>> 8) & 0xff;
  out[pos + 1] = v & 0xff;
  return pos + 2;
}

function putInt32(out: Buffer, pos: number, v: number): number {
  out[pos] = (v >>> 24) & 0xff;
  out[pos + 1] = (v >>> 16) & 0xff;
  out[pos + 2] = (v >>> 8) & 0xff;
  out[pos + 3] = v & 0xff;
  return pos + 4;
}

const TWO_32 = 4294967296;

/** An int64 given as a double that is an exact integer (|v| < 2^53). */
function putInt64(out: Buffer, pos: number, v: number): number {
  const hi = Math.floor(v / TWO_32);
  putInt32(out, pos, hi | 0);
  return putInt32(out, pos + 4, v - hi * TWO_32);
}

/** A text field: length, then the bytes as they are (valid UTF-8, no NUL: the scanner saw to it). */
function putText(out: Buffer, pos: number, b: Buffer, s: number, e: number): number {
  pos = putInt32(out, pos, e - s);
  return put(out, pos, b, s, e);
}

/** Values parsed by the last successful check (one object, no allocation per field). */
const V = {
  neg: false,
  /** integer part of a number (capped at MAG_CAP) */
  mag: 0,
  /** decimal: [intStart, intEnd) digits, [fracStart, fracEnd) digits */
  intStart: 0,
  intEnd: 0,
  fracStart: 0,
  fracEnd: 0,
  year: 0,
  month: 0,
  day: 0,
  /** timestamp: whether it has a time / an offset, the time, the fraction's digits, the offset */
  hasTime: false,
  hour: 0,
  minute: 0,
  second: 0,
  fsStart: 0,
  fsEnd: 0,
  hasOffset: false,
  offsetSeconds: 0,
};

/** PostgreSQL's date2j (Julian day of a proleptic Gregorian date) */
function date2j(y: number, m: number, d: number): number {
  if (m > 2) {
    m += 1;
    y += 4800;
  } else {
    m += 13;
    y += 4799;
  }
  const century = Math.floor(y / 100);
  let julian = y * 365 - 32167;
  julian += Math.floor(y / 4) - century + Math.floor(century / 4);
  julian += Math.floor((7834 * m) / 256) + d;
  return julian;
}

/** POSTGRES_EPOCH_JDATE: 2000-01-01, day 0 of date and timestamp in binary format */
const POSTGRES_EPOCH_JDATE = date2j(2000, 1, 1);

export function daysSince2000(y: number, m: number, d: number): number {
  return date2j(y, m, d) - POSTGRES_EPOCH_JDATE;
}

const USECS_PER_DAY = 86_400_000_000;
/** days from 2000-01-01 within which days × µs-per-day (+ a day) is an exact double */
const EXACT_DAYS = 100_000;

/**
 * The fraction's microseconds as PostgreSQL's text input computes them:
 * rint(strtod(".ddd") × 1000000), rint rounding half to even.
 */
export function fractionMicros(b: Buffer, s: number, e: number): number {
  if (e === s) return 0;
  const x = Number(`0.${b.toString('latin1', s, e)}`) * 1_000_000;
  const floor = Math.floor(x);
  const diff = x - floor;
  return diff < 0.5 ? floor : diff > 0.5 ? floor + 1 : floor % 2 === 0 ? floor : floor + 1;
}

/** The three staging fields of a valid timestamp (V): instant | local time | text. */
function putTimestamp(out: Buffer, pos: number, b: Buffer, s: number, e: number): number {
  const days = daysSince2000(V.year, V.month, V.day);
  const fsec = V.hasTime ? fractionMicros(b, V.fsStart, V.fsEnd) : 0;
  if (!V.hasOffset && fsec === 1_000_000) {
    // the text input picks the offset for hh:mm:ss, then adds the rounded-up second: cast the text
    pos = put(out, pos, NULL_FIELD, 0, 4);
    pos = put(out, pos, NULL_FIELD, 0, 4);
    return putText(out, pos, b, s, e);
  }
  const micros = (V.hasTime ? ((V.hour * 60 + V.minute) * 60 + V.second) * 1_000_000 + fsec : 0) - (V.hasOffset ? V.offsetSeconds * 1_000_000 : 0);
  if (!V.hasOffset) pos = put(out, pos, NULL_FIELD, 0, 4);
  pos = putInt32(out, pos, 8);
  if (days > -EXACT_DAYS && days < EXACT_DAYS) pos = putInt64(out, pos, days * USECS_PER_DAY + micros);
  else {
    out.writeBigInt64BE(BigInt(days) * BigInt(USECS_PER_DAY) + BigInt(micros), pos);
    pos += 8;
  }
  if (V.hasOffset) pos = put(out, pos, NULL_FIELD, 0, 4);
  return put(out, pos, NULL_FIELD, 0, 4);
}

const NUMERIC_NEG = 0x4000;

/**
 * A valid decimal (V: sign, integer and fraction digits, ≤ 2 places) as PostgreSQL's binary
 * numeric: ndigits, weight, sign, dscale, then base-10000 digits around the decimal point.
 * numeric_recv then applies the column's typmod as numeric_in does (same value, scale 2).
 */
function putNumeric(out: Buffer, pos: number, b: Buffer): number {
  let i = V.intStart;
  while (i < V.intEnd && b[i] === D0) i++;
  const nInt = V.intEnd - i;
  const intGroups = (nInt + 3) >> 2;
  const places = V.fracEnd - V.fracStart;
  let frac = 0;
  if (places >= 1) frac += (b[V.fracStart] - D0) * 1000;
  if (places >= 2) frac += (b[V.fracStart + 1] - D0) * 100;
  const ndigits = intGroups + (frac !== 0 ? 1 : 0);
  pos = putInt32(out, pos, 8 + 2 * ndigits);
  pos = putInt16(out, pos, ndigits);
  pos = putInt16(out, pos, ndigits === 0 ? 0 : intGroups - 1); // weight of the first digit
  pos = putInt16(out, pos, V.neg && ndigits !== 0 ? NUMERIC_NEG : 0);
  pos = putInt16(out, pos, places);
  let group = 0;
  let inGroup = 4 - (nInt - ((intGroups - 1) << 2)); // leading digits missing from the first group
  if (nInt === 0) inGroup = 0;
  for (; i < V.intEnd; i++) {
    group = group * 10 + (b[i] - D0);
    if (++inGroup === 4) {
      pos = putInt16(out, pos, group);
      group = 0;
      inGroup = 0;
    }
  }
  if (frac !== 0) pos = putInt16(out, pos, frac);
  return pos;
}

/** out[pos…] = b[s, e) (a loop: short copies are much cheaper than Buffer#copy); returns the end. */
function put(out: Buffer, pos: number, b: Buffer, s: number, e: number): number {
  for (let i = s; i < e; i++) out[pos++] = b[i];
  return pos;
}

// ---------------------------------------------------------------------------------------------
// Checks (each returns R.Ok and fills V, or the rule that broke)
// ---------------------------------------------------------------------------------------------

/**
 * Index of the word (lower-case ASCII) that the database's lower(b[s, e)) equals, or -1.
 * `asciiFold`: the database lower-cases A–Z plainly (then an ASCII value is matched byte-wise);
 * `fold`: lower() per CaseFold, for the other values.
 */
function matchWord(words: Buffer[], b: Buffer, s: number, e: number, asciiFold: boolean, fold: (v: string) => string): number {
  const n = e - s;
  let ascii = true;
  for (let i = s; i < e; i++) if (b[i] >= 0x80) ascii = false;
  if (ascii && asciiFold) {
    outer: for (let w = 0; w < words.length; w++) {
      const word = words[w];
      if (word.length !== n) continue;
      for (let i = 0; i < n; i++) {
        let c = b[s + i];
        if (c >= 0x41 && c <= 0x5a) c += 0x20;
        if (c !== word[i]) continue outer;
      }
      return w;
    }
    return -1;
  }
  const lowered = fold(b.toString('utf8', s, e));
  for (let w = 0; w < words.length; w++) if (words[w].toString('latin1') === lowered) return w;
  return -1;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** YYYY-MM-DD shape at p (10 bytes): [0-9]{4}-[01][0-9]-[0-3][0-9] */
function dateShape(b: Buffer, p: number): boolean {
  return (
    isDigit(b[p]) &&
    isDigit(b[p + 1]) &&
    isDigit(b[p + 2]) &&
    isDigit(b[p + 3]) &&
    b[p + 4] === MINUS &&
    (b[p + 5] === 0x30 || b[p + 5] === 0x31) &&
    isDigit(b[p + 6]) &&
    b[p + 7] === MINUS &&
    b[p + 8] >= 0x30 &&
    b[p + 8] <= 0x33 &&
    isDigit(b[p + 9])
  );
}

/** A shape-checked YYYY-MM-DD at p names a day that exists (year ≥ 1, month, day of month, leap years); sets V's date. */
function realDate(b: Buffer, p: number): boolean {
  const y = (b[p] - D0) * 1000 + (b[p + 1] - D0) * 100 + (b[p + 2] - D0) * 10 + (b[p + 3] - D0);
  const m = (b[p + 5] - D0) * 10 + (b[p + 6] - D0);
  const d = (b[p + 8] - D0) * 10 + (b[p + 9] - D0);
  V.year = y;
  V.month = m;
  V.day = d;
  if (y === 0 || m < 1 || m > 12) return false;
  if (d >= 1 && d <= 28) return true;
  if (d === 0) return false;
  if (m === 2) return d <= ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28);
  if (m === 4 || m === 6 || m === 9 || m === 11) return d <= 30;
  return d <= 31;
}

function checkDate(b: Buffer, s: number, e: number): R {
  if (e - s !== 10 || !dateShape(b, s)) return R.Shape;
  return realDate(b, s) ? R.Ok : R.RealDate;
}

/**
 * ISO 8601: a date, optionally `T` or a space and hh:mm, optional :ss and fraction, optional
 * offset `Z`, `±hh`, `±hhmm` or `±hh:mm` (hours 00–14) — the shape
 * ^[0-9]{4}-[01][0-9]-[0-3][0-9](?:[T ][0-2][0-9]:[0-5][0-9](?::[0-5][0-9](?:\.[0-9]+)?)?(?:[Zz]|[+-](?:0[0-9]|1[0-4])(?::?[0-5][0-9])?)?)?$
 * then a real date, then an hour ≤ 23.
 */
function checkTimestamp(b: Buffer, s: number, e: number): R {
  if (e - s < 10 || !dateShape(b, s)) return R.Shape;
  V.hasTime = false;
  V.hasOffset = false;
  if (e - s > 10) {
    let p = s + 10;
    if (!(b[p] === 0x54 || b[p] === 0x20)) return R.Shape;
    if (e - p < 6 || !(b[p + 1] >= 0x30 && b[p + 1] <= 0x32) || !isDigit(b[p + 2]) || b[p + 3] !== COLON || !sixty(b, p + 4)) return R.Shape;
    V.hasTime = true;
    V.hour = (b[p + 1] - D0) * 10 + (b[p + 2] - D0);
    V.minute = (b[p + 4] - D0) * 10 + (b[p + 5] - D0);
    V.second = 0;
    V.fsStart = V.fsEnd = 0;
    p += 6;
    if (p < e && b[p] === COLON) {
      if (e - p < 3 || !sixty(b, p + 1)) return R.Shape;
      V.second = (b[p + 1] - D0) * 10 + (b[p + 2] - D0);
      p += 3;
      if (p < e && b[p] === DOT) {
        p++;
        const digits = p;
        while (p < e && isDigit(b[p])) p++;
        if (p === digits) return R.Shape;
        V.fsStart = digits;
        V.fsEnd = p;
      }
    }
    if (p < e) {
      const c = b[p];
      V.hasOffset = true;
      V.offsetSeconds = 0;
      if (c === 0x5a || c === 0x7a) p++;
      else if (c === PLUS || c === MINUS) {
        if (e - p < 3) return R.Shape;
        const h1 = b[p + 1];
        const h2 = b[p + 2];
        if (!((h1 === 0x30 && isDigit(h2)) || (h1 === 0x31 && h2 >= 0x30 && h2 <= 0x34))) return R.Shape;
        let seconds = ((h1 - D0) * 10 + (h2 - D0)) * 3600;
        p += 3;
        if (p < e) {
          if (b[p] === COLON) p++;
          if (e - p < 2 || !sixty(b, p)) return R.Shape;
          seconds += ((b[p] - D0) * 10 + (b[p + 1] - D0)) * 60;
          p += 2;
        }
        V.offsetSeconds = c === MINUS ? -seconds : seconds;
      } else return R.Shape;
    }
    if (p !== e) return R.Shape;
  }
  if (!realDate(b, s)) return R.RealDate;
  if (V.hasTime && V.hour > 23) return R.TimeOfDay;
  return R.Ok;
}

/** [0-5][0-9] at p */
function sixty(b: Buffer, p: number): boolean {
  return b[p] >= 0x30 && b[p] <= 0x35 && isDigit(b[p + 1]);
}

/**
 * Sign of (v − bound) for a shape-checked decimal v and an integer bound, exactly: `mag` is
 * v's integer part (capped above every bound), `frac` whether v has a non-zero fraction.
 */
function compareTo(neg: boolean, mag: number, frac: boolean, bound: number): number {
  if (mag === 0 && !frac) return bound === 0 ? 0 : bound > 0 ? -1 : 1; // 0 and -0
  if (!neg) return mag > bound ? 1 : mag < bound ? -1 : frac ? 1 : 0;
  const nb = -bound; // v = -(mag + f): compare mag + f with -bound, then flip
  return mag > nb ? -1 : mag < nb ? 1 : frac ? -1 : 0;
}

/** min, greaterThan and max of the column, in that order (as the SQL checks had them). */
function outOfRange(r: Bounds, neg: boolean, mag: number, frac: boolean): boolean {
  if (r.hasMin && compareTo(neg, mag, frac, r.min) < 0) return true;
  if (r.hasGreaterThan && compareTo(neg, mag, frac, r.greaterThan) <= 0) return true;
  if (r.hasMax && compareTo(neg, mag, frac, r.max) > 0) return true;
  return false;
}

/** ^[+-]?[0-9]+$, then the range, then int4 */
function checkInteger(b: Buffer, s: number, e: number, range: Bounds): R {
  let p = s;
  const neg = b[p] === MINUS;
  if (neg || b[p] === PLUS) p++;
  if (p === e) return R.Shape;
  let mag = 0;
  for (; p < e; p++) {
    const c = b[p];
    if (!isDigit(c)) return R.Shape;
    mag = mag * 10 + (c - D0);
    if (mag > MAG_CAP) mag = MAG_CAP;
  }
  if (outOfRange(range, neg, mag, false)) return R.Range;
  if (mag > INT4_MAX + (neg ? 1 : 0)) return R.TooLarge; // (no column lacks a lower bound ≥ 0)
  V.neg = neg;
  V.mag = mag;
  return R.Ok;
}

/** ^[+-]?[0-9]+(\.[0-9]+)?$, then at most 2 places, then the size, then the range */
function checkDecimal(b: Buffer, s: number, e: number, range: Bounds, limit: number): R {
  let p = s;
  const neg = b[p] === MINUS;
  if (neg || b[p] === PLUS) p++;
  const intStart = p;
  let mag = 0;
  while (p < e && isDigit(b[p])) {
    mag = mag * 10 + (b[p] - D0);
    if (mag > MAG_CAP) mag = MAG_CAP;
    p++;
  }
  if (p === intStart) return R.Shape;
  const intEnd = p;
  let frac = false;
  let fracStart = p;
  if (p < e) {
    if (b[p] !== DOT) return R.Shape;
    p++;
    fracStart = p;
    while (p < e && isDigit(b[p])) {
      if (b[p] !== D0) frac = true;
      p++;
    }
    if (p === fracStart || p !== e) return R.Shape;
  }
  if (p - fracStart > 2) return R.Places;
  if (mag >= limit) return R.TooLarge;
  if (outOfRange(range, neg, mag, frac)) return R.Range;
  V.neg = neg;
  V.intStart = intStart;
  V.intEnd = intEnd;
  V.fracStart = fracStart;
  V.fracEnd = p;
  return R.Ok;
}

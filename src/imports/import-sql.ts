import { ENTITY_SPECS, type ColumnSpec, type EntitySpec, type ImportEntity } from './import-entities';

/**
 * The set-based SQL of one CSV import, built from the entity's column spec
 * (import-entities.ts). Everything runs in one transaction over a staging table that COPY
 * filled with the file's raw text:
 *
 *   ys_stage (line int, <every contract column> text)   -- one row per data record
 *   ys_errors (line, col, val, reason)                    -- every broken rule, for humans
 *
 * Each `check*` statement inserts the rows breaking one group of contract rules into
 * ys_errors; `upsert` writes the typed rows once no error was found. Casts only ever run on
 * values that a check proved castable: each check is a CASE whose WHEN branches run in order
 * (PostgreSQL guarantees that for CASE), so a cast sits behind the test that makes it safe,
 * and the upsert runs only when ys_errors is empty.
 *
 * "Empty" means NULL: COPY turns an unquoted empty field into NULL, and FORCE_NULL does the
 * same for a quoted one ("").
 */

export const STAGE = 'ys_stage';
export const ERRORS = 'ys_errors';

/** Identifiers come from the contract's spec (validated header names), never from user text. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

// ---------------------------------------------------------------------------------------------
// Field rules (data-contract.md, "File rules" and each file's table)
// ---------------------------------------------------------------------------------------------

/** true/false, 1/0, yes/no in any case */
const TRUE_WORDS = ['true', '1', 'yes'];
const BOOLEAN_WORDS = ['true', 'false', '1', '0', 'yes', 'no'];

/** numeric(16,2): at most 14 digits before the point */
const MONEY_LIMIT = '1e14';
/** numeric(10,2) */
const DECIMAL_LIMIT = '1e8';
const INT4_MAX = 2147483647;

/**
 * Strict shapes. ISO 8601 timestamps: a date, optionally `T` or a space and hh:mm, optional
 * :ss and fraction, optional offset `Z`, `±hh`, `±hhmm` or `±hh:mm` (hours 00–14). Single
 * digits are constrained in the regex where that is free (minutes and seconds 00–59, hour
 * 0–2x); what a regex would pay dearly for (month 01–12, days of the month, hour ≤ 23) is
 * checked after it with plain string comparisons. PostgreSQL builds a regex's DFA anew on
 * every call, so each extra state costs on every value of a million-row file.
 */
const TIMESTAMP_SHAPE = String.raw`^[0-9]{4}-[01][0-9]-[0-3][0-9](?:[T ][0-2][0-9]:[0-5][0-9](?::[0-5][0-9](?:\.[0-9]+)?)?(?:[Zz]|[+-](?:0[0-9]|1[0-4])(?::?[0-5][0-9])?)?)?$`;
const DATE_SHAPE = String.raw`^[0-9]{4}-[01][0-9]-[0-3][0-9]$`;
const INTEGER_SHAPE = String.raw`^[+-]?[0-9]+$`;
const DECIMAL_SHAPE = String.raw`^[+-]?[0-9]+(?:\.[0-9]+)?$`;

/** Byte-wise comparison of short ASCII pieces (independent of the database collation). */
const C = 'collate "C"';

/**
 * `v` (shape-checked YYYY-MM-DD…) names a day that exists: year ≥ 1 (PostgreSQL has no year
 * 0), month 01–12, day 01 up to the month's length, 29 February only in leap years. Days
 * 01–28 of months 01–12 exist in every year: only days 29–31 need the calendar.
 */
function realDate(v: string): string {
  const y = `substr(${v}, 1, 4)`;
  const m = `substr(${v}, 6, 2)`;
  const d = `substr(${v}, 9, 2)`;
  const leap = `(${y}::int % 4 = 0 and (${y}::int % 100 <> 0 or ${y}::int % 400 = 0))`;
  return `(case
      when ${v} ${C} < '0001' or ${m} ${C} not between '01' and '12' then false
      when ${d} ${C} between '01' and '28' then true
      when ${d} = '00' then false
      when ${m} = '02' then ${d} ${C} <= case when ${leap} then '29' else '28' end
      when ${m} in ('04', '06', '09', '11') then ${d} ${C} <= '30'
      else ${d} ${C} <= '31'
    end)`;
}

/**
 * The typed value of a valid timestamp field: the transaction's TimeZone is set to
 * ORG_TIMEZONE (SET LOCAL), so the one cast reads an offset exactly when there is one, and
 * otherwise reads local time in the organisation's zone — a date alone is local midnight —
 * with PostgreSQL's rule for DST gaps (the offset before the change) and ambiguous times
 * (the offset after it), the same as `::timestamp AT TIME ZONE zone`.
 */
export function timestampValue(v: string): string {
  return `${v}::timestamptz`;
}

function rangeText(col: ColumnSpec): string {
  if (col.min !== undefined && col.max !== undefined) return `must be between ${col.min} and ${col.max}`;
  if (col.min !== undefined) return `must be ≥ ${col.min}`;
  if (col.greaterThan !== undefined) return `must be greater than ${col.greaterThan}`;
  return `must be ≤ ${col.max}`;
}

/** The WHEN branches checking a non-null value `v` against its column's type and range. */
function typeBranches(col: ColumnSpec, v: string): string[] {
  const lower = `lower(${v})`;
  const tooManyPlaces = `(strpos(${v}, '.') > 0 and length(${v}) - strpos(${v}, '.') > 2)`;
  // Range checks cast to numeric only when the text could be out of range: a leading minus
  // for a lower bound of 0, any value for other bounds (cheap guards first; see the header
  // comment for why the order of WHEN branches makes the casts safe).
  const range = (num: string) => {
    const out: string[] = [];
    if (col.min !== undefined) {
      const guard = col.min === 0 ? `left(${v}, 1) = '-' and ` : '';
      out.push(`when ${guard}${num} < ${col.min} then ${literal(rangeText(col))}`);
    }
    if (col.greaterThan !== undefined) out.push(`when ${num} <= ${col.greaterThan} then ${literal(rangeText(col))}`);
    if (col.max !== undefined) out.push(`when ${num} > ${col.max} then ${literal(rangeText(col))}`);
    return out;
  };
  switch (col.type) {
    case 'id': // Ids: strings of 1–64 characters (an empty one is null, caught as "required")
      return [`when octet_length(${v}) > 64 and length(${v}) > 64 then 'id must be 1–64 characters'`];
    case 'text':
      return [];
    case 'integer':
      return [
        `when ${v} !~ ${literal(INTEGER_SHAPE)} then 'must be a whole number'`,
        ...range(`${v}::numeric`),
        `when length(${v}) > 9 and ${v}::numeric > ${INT4_MAX} then 'is too large'`,
      ];
    case 'money': // Money: decimal with up to 2 fraction digits
      return [
        `when ${v} !~ ${literal(DECIMAL_SHAPE)} then 'must be a decimal number such as 12.50'`,
        `when ${tooManyPlaces} then 'money must have at most 2 decimal places'`,
        `when length(${v}) > 14 and abs(${v}::numeric) >= ${MONEY_LIMIT} then 'is too large (at most 14 digits before the decimal point)'`,
        ...range(`${v}::numeric`),
      ];
    case 'decimal': // stored numeric(10,2): more places would be rounded away silently
      return [
        `when ${v} !~ ${literal(DECIMAL_SHAPE)} then 'must be a decimal number such as 1.5'`,
        `when ${tooManyPlaces} then 'must have at most 2 decimal places'`,
        `when length(${v}) > 8 and abs(${v}::numeric) >= ${DECIMAL_LIMIT} then 'is too large'`,
        ...range(`${v}::numeric`),
      ];
    case 'boolean': // Booleans: true/false, 1/0, yes/no (any case); lower() only for the other spellings
      return [
        `when ${v} in (${BOOLEAN_WORDS.map(literal).join(', ')}) then null`,
        `when ${lower} not in (${BOOLEAN_WORDS.map(literal).join(', ')}) then 'must be true/false, 1/0 or yes/no'`,
      ];
    case 'enum': // Enumerations are matched case-insensitively; lower() only when not already lower-case
      return [
        `when ${v} in (${col.enumValues!.map(literal).join(', ')}) then null`,
        `when ${lower} not in (${col.enumValues!.map(literal).join(', ')}) then ${literal(`must be one of: ${col.enumValues!.join(', ')}`)}`,
      ];
    case 'date': // Dates: YYYY-MM-DD, a day that exists
      return [
        `when ${v} !~ ${literal(DATE_SHAPE)} then 'must be a date YYYY-MM-DD'`,
        `when not ${realDate(v)} then 'is not a real calendar date'`,
      ];
    case 'timestamp': // Timestamps: ISO 8601, with or without offset
      return [
        `when ${v} !~ ${literal(TIMESTAMP_SHAPE)} then 'must be an ISO 8601 timestamp such as 2026-10-31T23:30:00+08:00 or 2026-10-31 23:30:00'`,
        `when not ${realDate(v)} then 'is not a real calendar date'`,
        `when length(${v}) > 10 and substr(${v}, 12, 2) ${C} > '23' then 'has an invalid time of day'`,
      ];
  }
}

/** A CASE giving the reason a field breaks its column's rules, or NULL when it is fine. */
export function fieldCheck(col: ColumnSpec, alias = 's'): string {
  const v = `${alias}.${ident(col.name)}`;
  const branches = [`when ${v} is null then ${col.required ? `'is required'` : 'null'}`, ...typeBranches(col, v)];
  if (branches.length === 1 && !col.required) return 'null::text';
  return `case ${branches.join(' ')} end`;
}

/** A field holds a value that passed its checks (so it may be cast). */
function valid(col: ColumnSpec, alias = 's'): string {
  return `(${alias}.${ident(col.name)} is not null and (${fieldCheck(col, alias)}) is null)`;
}

/** The typed value written to the table for a (validated) field. */
export function typedValue(col: ColumnSpec, alias = 's'): string {
  const v = `${alias}.${ident(col.name)}`;
  let expr: string;
  switch (col.type) {
    case 'id':
    case 'text':
      expr = v;
      break;
    case 'integer':
      expr = `${v}::int`;
      break;
    case 'money':
    case 'decimal':
      expr = `${v}::numeric`;
      break;
    case 'boolean':
      expr = `(lower(${v}) in (${TRUE_WORDS.map(literal).join(', ')}))`;
      break;
    case 'enum': // stored in lower case
      expr = `lower(${v})`;
      break;
    case 'date':
      expr = `${v}::date`;
      break;
    case 'timestamp':
      expr = timestampValue(v);
      break;
  }
  if (col.defaultValue !== undefined) {
    const dflt = typeof col.defaultValue === 'boolean' ? String(col.defaultValue) : literal(col.defaultValue);
    expr = `coalesce(${expr}, ${dflt})`;
  }
  return expr;
}

// ---------------------------------------------------------------------------------------------
// Statements
// ---------------------------------------------------------------------------------------------

export interface ImportCheck {
  rule: string;
  sql: string;
  /**
   * The primary key enforces this rule too (duplicate ids): on a load into an empty table
   * the check runs only when the insert hits the key, to name the lines.
   */
  enforcedByPrimaryKey?: boolean;
}

export interface ImportSql {
  spec: EntitySpec;
  createTables: string;
  copy: string;
  /** each inserts the violations of one group of rules into ys_errors */
  checks: ImportCheck[];
  countErrors: string;
  firstErrors: (limit: number) => string;
  /** the typed rows of the file, in target-table columns */
  targetColumns: string[];
  /** upsert by key of the rows that differ; returns one row {inserted, updated} */
  upsert: string;
  /** plain insert into an empty table */
  insertAll: string;
  /** statements to run before the upsert (agents: free the e-mail addresses that move) */
  beforeUpsert: string[];
}

/** Local date of an instant in the organisation's zone. */
function localDate(instant: string, tz: string): string {
  return `(${instant} at time zone ${literal(tz)})::date`;
}

export function buildImportSql(entity: ImportEntity, header: readonly string[], tz: string): ImportSql {
  const spec = ENTITY_SPECS[entity];
  const cols = spec.columns;
  const byName = new Map(cols.map((c) => [c.name, c]));
  const col = (name: string) => byName.get(name)!;
  const table = ident(spec.table);

  const createTables = [
    `create temp table ${STAGE} (line int not null, ${cols.map((c) => `${ident(c.name)} text`).join(', ')}) on commit drop`,
    `create temp table ${ERRORS} (line int, col text, val text, reason text not null) on commit drop`,
  ].join(';\n');

  // The scanner puts the record's line number first; then the header's columns in file order.
  const copyCols = header.map(ident).join(', ');
  const copy = `copy ${STAGE} (line, ${copyCols}) from stdin with (format csv, header false, force_null (${copyCols}))`;

  // Row rules that involve several columns of one row.
  const rowRules: { col: string | null; check: string }[] = [];
  if (entity === 'tickets') {
    const opened = col('opened_at');
    for (const name of ['first_response_at', 'resolved_at']) {
      const c = col(name);
      // first_response_at ≥ opened_at, resolved_at ≥ opened_at (instants)
      rowRules.push({
        col: name,
        check: `case when not ${valid(c)} or not ${valid(opened)} then null
          when ${timestampValue(`s.${ident(name)}`)} < ${timestampValue('s.opened_at')} then 'must not be before opened_at' end`,
      });
    }
    // complaint_category: required when is_complaint
    rowRules.push({
      col: 'complaint_category',
      check: `case when s.complaint_category is null and ${valid(col('is_complaint'))} and ${typedValue(col('is_complaint'))}
          then 'is required when is_complaint is true' end`,
    });
  }
  if (entity === 'surveys') {
    // csat, nps, ces: at least one of them
    rowRules.push({
      col: null,
      check: `case when s.csat is null and s.nps is null and s.ces is null then 'at least one of csat, nps and ces is required' end`,
    });
  }

  const fieldRules = cols.map((c) => ({ col: c.name as string | null, check: fieldCheck(c) })).filter((r) => r.check !== 'null::text');
  const allRules = [...fieldRules, ...rowRules];
  const checks: ImportCheck[] = [];

  // 1. Every field against its column's type, requiredness, range and enumeration, plus the
  //    row rules. The inner query keeps only rows with at least one problem (one pass, each
  //    check evaluated once per clean row); the lateral VALUES then names each problem.
  checks.push({
    rule: 'fields',
    sql: `insert into ${ERRORS} (line, col, val, reason)
select s.line, e.col, e.val, e.reason
from (
  select * from ${STAGE} s
  where ${allRules.map((r) => `(${r.check}) is not null`).join('\n     or ')}
  offset 0
) s
cross join lateral (values
  ${allRules.map((r) => `(${r.col === null ? 'null' : literal(r.col)}, ${r.col === null ? 'null::text' : `s.${ident(r.col)}`}, ${r.check})`).join(',\n  ')}
) as e(col, val, reason)
where e.reason is not null`,
  });

  // 2. The same id twice in one file is an error naming both lines (the key of assignments is
  //    (customer_id, assigned_on)). Reported on the later line, naming the first.
  const keyCols = spec.key.map(ident);
  const keyLabel = spec.key.join(', ');
  const keyValue = spec.key.length === 1 ? `s.${keyCols[0]}` : `concat_ws(', ', ${keyCols.map((k) => `s.${k}`).join(', ')})`;
  const what = spec.key.length === 1 ? 'id' : `(${keyLabel})`;
  checks.push({
    rule: 'duplicate ids',
    enforcedByPrimaryKey: true,
    sql: `insert into ${ERRORS} (line, col, val, reason)
select s.line, ${literal(keyLabel)}, ${keyValue},
       'the same ${what} appears twice in the file (lines ' || d.first_line || ' and ' || s.line || ')'
from ${STAGE} s
join (
  select ${keyCols.join(', ')}, min(line) as first_line
  from ${STAGE}
  where ${keyCols.map((k) => `${k} is not null`).join(' and ')}
  group by ${keyCols.join(', ')}
  having count(*) > 1
) d using (${keyCols.join(', ')})
where s.line <> d.first_line`,
  });

  // 3. References must exist in the database (earlier files of an import are committed
  //    before later ones) — or, for a team's parent, in the same file.
  for (const c of cols) {
    if (!c.references) continue;
    const r = c.references;
    const v = `s.${ident(c.name)}`;
    const inFile = r.sameFile ? `\n  and not exists (select 1 from ${STAGE} f where f.${ident(r.column)} = ${v})` : '';
    const reason = r.sameFile
      ? `unknown ${r.noun} (not in the database nor in this file)`
      : `unknown ${r.noun} (not in the database nor earlier in this import)`;
    checks.push({
      rule: `reference ${c.name}`,
      sql: `insert into ${ERRORS} (line, col, val, reason)
select s.line, ${literal(c.name)}, ${v}, ${literal(reason)}
from ${STAGE} s
where ${v} is not null and (octet_length(${v}) <= 64 or length(${v}) <= 64)
  and not exists (select 1 from ${ident(r.table)} t where t.${ident(r.column)} = ${v})${inFile}`,
    });
  }

  if (entity === 'teams') {
    // 4. Team hierarchy cycles, after merging the file with the database's teams (a file row
    //    replaces the database row of the same id). Each file row is followed up its parent
    //    chain; it is in a cycle when the chain comes back to it. The path names the cycle.
    checks.push({
      rule: 'team cycles',
      sql: `insert into ${ERRORS} (line, col, val, reason)
with recursive merged as (
  select team_id, parent_team_id from ${STAGE} where team_id is not null
  union all
  select t.team_id, t.parent_team_id from teams t
  where not exists (select 1 from ${STAGE} s where s.team_id = t.team_id)
),
walk (line, start_id, cur, path) as (
  select s.line, s.team_id, s.parent_team_id::text, array[s.team_id::text]
  from ${STAGE} s where s.team_id is not null and s.parent_team_id is not null
  union all
  select w.line, w.start_id, m.parent_team_id::text, w.path || w.cur
  from walk w join merged m on m.team_id = w.cur
  where w.cur <> all (w.path) and m.parent_team_id is not null
)
select w.line, 'parent_team_id', s.parent_team_id,
       'team hierarchy cycle: ' || array_to_string(w.path || w.cur, ' → ')
from walk w join ${STAGE} s on s.line = w.line
where w.cur = w.start_id`,
    });
  }

  if (entity === 'agents') {
    // 5. agents.email is unique when present, case-insensitively: within the file (reported
    //    on the later line)…
    checks.push({
      rule: 'email unique in file',
      sql: `insert into ${ERRORS} (line, col, val, reason)
select s.line, 'email', s.email,
       'email already used by agent ' || f.agent_id || ' on line ' || f.line || ' (e-mails are unique, case-insensitively)'
from ${STAGE} s
join (
  select distinct on (lower(email)) lower(email) as email_key, line, agent_id
  from ${STAGE} where email is not null
  order by lower(email), line
) f on f.email_key = lower(s.email)
where s.line <> f.line and s.agent_id is distinct from f.agent_id`,
    });
    // …and against the other agents already in the database (an agent re-imported by this
    // file is judged by its new row, above).
    checks.push({
      rule: 'email unique in database',
      sql: `insert into ${ERRORS} (line, col, val, reason)
select s.line, 'email', s.email,
       'email already used by agent ' || a.agent_id || ' in the database (e-mails are unique, case-insensitively)'
from ${STAGE} s
join agents a on lower(a.email) = lower(s.email)
where s.email is not null and a.agent_id is distinct from s.agent_id
  and not exists (select 1 from ${STAGE} x where x.agent_id = a.agent_id)`,
    });
  }

  const colOrder = `array_position(array[${cols.map((c) => literal(c.name)).join(', ')}]::text[], col)`;
  const firstErrors = (limit: number) =>
    `select line, col, left(val, 200) as val, reason from ${ERRORS} order by line nulls first, ${colOrder} nulls first, reason limit ${limit}`;

  // Target columns: every contract column, plus orders.ordered_on, the local date of
  // ordered_at in ORG_TIMEZONE. The casts run once per row in the inner query (OFFSET 0 keeps
  // the planner from copying them into each use).
  const targets: { name: string; value: string }[] = cols.map((c) => ({ name: c.name, value: `x.${ident(c.name)}` }));
  if (entity === 'orders') targets.splice(3, 0, { name: 'ordered_on', value: localDate('x.ordered_at', tz) });
  const targetColumns = targets.map((t) => t.name);
  const nonKey = targetColumns.filter((n) => !spec.key.includes(n));
  const typedSelect = `select ${targets.map((t) => `${t.value} as ${ident(t.name)}`).join(', ')}
from (select ${cols.map((c) => `${typedValue(c)} as ${ident(c.name)}`).join(',\n        ')}
      from ${STAGE} s offset 0) x`;

  const insertAll = `insert into ${table} (${targetColumns.map(ident).join(', ')})\n${typedSelect}`;

  // Upsert by key. A hash join first drops the rows that already hold the same values, so
  // re-importing an unchanged file writes nothing and touches no index; ON CONFLICT … WHERE
  // IS DISTINCT FROM keeps the statement exact on its own. IS DISTINCT FROM compares values
  // (12.5 and 12.50 are the same money). Counting happens in SQL: a row this statement
  // inserted has xmax = 0, an updated one does not.
  const keyJoin = spec.key.map((k) => `o.${ident(k)} = n.${ident(k)}`).join(' and ');
  const upsert = `with written as (
insert into ${table} as t (${targetColumns.map(ident).join(', ')})
select n.* from (${typedSelect}) n
left join ${table} o on ${keyJoin}
where o.${ident(spec.key[0])} is null
   or (${nonKey.map((c) => `o.${ident(c)}`).join(', ')}) is distinct from (${nonKey.map((c) => `n.${ident(c)}`).join(', ')})
on conflict (${keyCols.join(', ')}) do update
set ${nonKey.map((n) => `${ident(n)} = excluded.${ident(n)}`).join(', ')}
where (${nonKey.map((n) => `t.${ident(n)}`).join(', ')}) is distinct from (${nonKey.map((n) => `excluded.${ident(n)}`).join(', ')})
returning (t.xmax = '0') as inserted
)
select count(*) filter (where inserted)::int as inserted, count(*) filter (where not inserted)::int as updated from written`;

  // agents: the unique index on lower(email) is checked row by row, so two agents swapping
  // addresses in one file would collide half-way; free the addresses that move first (those
  // rows are updated by the upsert anyway, so the counts stay right).
  const beforeUpsert =
    entity === 'agents'
      ? [
          `update agents a set email = null
from ${STAGE} s
where s.agent_id = a.agent_id and s.email is not null and a.email is not null and lower(a.email) <> lower(s.email)`,
        ]
      : [];

  return {
    spec,
    createTables,
    copy,
    checks,
    countErrors: `select count(*)::int as n from ${ERRORS}`,
    firstErrors,
    targetColumns,
    upsert,
    insertAll,
    beforeUpsert,
  };
}

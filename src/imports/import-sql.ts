import { localColumnName, rawColumnName, rawColumns, rowRuleText, stagingColumns, textColumnName } from './csv-row-encoder';
import { ENTITY_SPECS, type ColumnSpec, type EntitySpec, type ImportEntity } from './import-entities';

/**
 * The set-based SQL of one CSV import, built from the entity's column spec
 * (import-entities.ts). Everything runs in one transaction over a staging table that COPY
 * filled with the rows the scanner's RowEncoder (csv-row-encoder.ts) wrote:
 *
 *   ys_stage (line int, <every contract column, typed>, …)  -- one row per data record (stagingColumns)
 *   ys_errors (line, col, val, reason)                       -- every broken rule, for humans
 *
 * The rules of one field or one row are checked in JavaScript before COPY (the values that
 * broke one are NULL here; ids and texts are always kept as given). Each `check*` statement
 * inserts the rows breaking one group of the rules that need the database or the whole file
 * (instants compared in ORG_TIMEZONE, duplicate ids, references, cycles, e-mails) into
 * ys_errors; `upsert` writes the rows once no error was found.
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

/**
 * The typed value of a staged column. A timestamp is an instant (offset given), or a local
 * time read in ORG_TIMEZONE — the transaction's TimeZone — by `::timestamptz`, or (rarely) its
 * text, cast the same way; see csv-row-encoder.ts.
 */
export function stagedValue(col: ColumnSpec, alias = 's'): string {
  const v = (name: string) => `${alias}.${ident(name)}`;
  if (col.type !== 'timestamp') return v(col.name);
  return `coalesce(${v(col.name)}, ${v(localColumnName(col.name))}::timestamptz, ${v(textColumnName(col.name))}::timestamptz)`;
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

export function buildImportSql(entity: ImportEntity, tz: string): ImportSql {
  const spec = ENTITY_SPECS[entity];
  const cols = spec.columns;
  const table = ident(spec.table);
  const staged = stagingColumns(spec);

  const createTables = [
    `create temp table ${STAGE} (line int not null, ${staged.map((c) => `${ident(c.name)} ${c.type}`).join(', ')}) on commit drop`,
    `create temp table ${ERRORS} (line int, col text, val text, reason text not null) on commit drop`,
  ].join(';\n');

  // Binary format: the encoder writes the line number first, then every staging column.
  const copy = `copy ${STAGE} (line, ${staged.map((c) => ident(c.name)).join(', ')}) from stdin with (format binary)`;

  const checks: ImportCheck[] = [];

  // 1. Instants of one row that must not come before another (tickets: first_response_at ≥
  //    opened_at, resolved_at ≥ opened_at). A local time is placed in ORG_TIMEZONE (the
  //    transaction's TimeZone) with PostgreSQL's DST rules, so the comparison stays here. A
  //    field that broke its own rules is NULL and compares to nothing.
  const notBefore = (spec.rowRules ?? []).flatMap((r) => (r.kind === 'notBefore' ? [r] : []));
  if (notBefore.length) {
    const byName = new Map(cols.map((c) => [c.name, c]));
    const broken = (r: (typeof notBefore)[number]) => `${stagedValue(byName.get(r.column)!)} < ${stagedValue(byName.get(r.than)!)}`;
    checks.push({
      rule: notBefore.map((r) => `${r.column} ≥ ${r.than}`).join(', '),
      sql: `insert into ${ERRORS} (line, col, val, reason)
select s.line, e.col, e.val, e.reason
from ${STAGE} s
cross join lateral (values
  ${notBefore.map((r) => `(${literal(r.column)}, s.${ident(rawColumnName(r.column))}, case when ${broken(r)} then ${literal(rowRuleText(r))} end)`).join(',\n  ')}
) as e(col, val, reason)
where (${notBefore.map(broken).join(' or ')}) and e.reason is not null`,
    });
  }

  // 2. The same id twice in one file is an error naming both lines (the key of assignments is
  //    (customer_id, assigned_on)). Reported on the later line, naming the first.
  const raw = new Set(rawColumns(spec));
  // (the key as given: a typed key part also has its text in the staging table)
  const stagedKey = spec.key.map((k) => ident(raw.has(k) ? rawColumnName(k) : k));
  const keyLabel = spec.key.join(', ');
  const keyValue = spec.key.length === 1 ? `s.${stagedKey[0]}` : `concat_ws(', ', ${stagedKey.map((k) => `s.${k}`).join(', ')})`;
  const what = spec.key.length === 1 ? 'id' : `(${keyLabel})`;
  checks.push({
    rule: 'duplicate ids',
    enforcedByPrimaryKey: true,
    sql: `insert into ${ERRORS} (line, col, val, reason)
select s.line, ${literal(keyLabel)}, ${keyValue},
       'the same ${what} appears twice in the file (lines ' || d.first_line || ' and ' || s.line || ')'
from ${STAGE} s
join (
  select ${stagedKey.join(', ')}, min(line) as first_line
  from ${STAGE}
  where ${stagedKey.map((k) => `${k} is not null`).join(' and ')}
  group by ${stagedKey.join(', ')}
  having count(*) > 1
) d using (${stagedKey.join(', ')})
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

  // Target columns: every contract column (staged already typed, normalised and with their
  // defaults), plus orders.ordered_on, the local date of ordered_at in ORG_TIMEZONE. The
  // timestamps are placed once per row in the inner query (OFFSET 0 keeps the planner from
  // copying them into each use).
  const targets: { name: string; value: string }[] = cols.map((c) => ({ name: c.name, value: `x.${ident(c.name)}` }));
  if (entity === 'orders') targets.splice(3, 0, { name: 'ordered_on', value: localDate('x.ordered_at', tz) });
  const targetColumns = targets.map((t) => t.name);
  const nonKey = targetColumns.filter((n) => !spec.key.includes(n));
  const typedSelect = `select ${targets.map((t) => `${t.value} as ${ident(t.name)}`).join(', ')}
from (select ${cols.map((c) => `${stagedValue(c)} as ${ident(c.name)}`).join(', ')}
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
on conflict (${spec.key.map(ident).join(', ')}) do update
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

/**
 * The data contract (shared/spec/data-contract.md) as data: one spec per CSV file, listing
 * its columns with type, requiredness, enumeration values, ranges and references. The CSV
 * importer derives its header check, its field checks (csv-row-encoder.ts), its set-based
 * validation SQL and its upsert from these.
 * The column names are also the database column names (see migrations/…_initial.ts).
 */

import { COMPLAINT_CATEGORIES } from '../kpis/domain/kpi-catalogue';

/** The contract's import order: a file may only reference entities imported before it. */
export const IMPORT_ORDER = ['teams', 'agents', 'customers', 'assignments', 'orders', 'tickets', 'surveys', 'training'] as const;
export type ImportEntity = (typeof IMPORT_ORDER)[number];

export type ColumnType =
  /** a CRM id: a string of 1–64 characters */
  | 'id'
  /** any text */
  | 'text'
  /** YYYY-MM-DD, a local date in ORG_TIMEZONE */
  | 'date'
  /** ISO 8601; with an offset exact, without one local time in ORG_TIMEZONE */
  | 'timestamp'
  /** a decimal with at most 2 fraction digits, numeric(16,2) */
  | 'money'
  /** a decimal, stored numeric(10,2): at most 2 fraction digits too */
  | 'decimal'
  | 'integer'
  /** true/false, 1/0, yes/no in any case */
  | 'boolean'
  /** one of `enumValues`, matched case-insensitively, stored lower-case */
  | 'enum';

export interface ColumnReference {
  /** the referenced entity, for messages ("unknown customer") */
  noun: string;
  table: string;
  column: string;
  /** the referenced rows may also come from the same file (teams.parent_team_id) */
  sameFile?: boolean;
}

export interface ColumnSpec {
  name: string;
  type: ColumnType;
  required: boolean;
  enumValues?: readonly string[];
  /** inclusive lower bound for numbers */
  min?: number;
  /** exclusive lower bound for numbers (hours > 0) */
  greaterThan?: number;
  /** inclusive upper bound for numbers */
  max?: number;
  references?: ColumnReference;
  /** value written when the field is empty (orders.status, tickets.reopened/is_complaint) */
  defaultValue?: string | boolean;
}

/**
 * A rule over several fields of one row.
 *  - requiredWhen: `column` is required when the boolean `when` is true (default included);
 *  - atLeastOne: at least one of `columns` is not empty;
 *  - notBefore: the instant `column` is not before the instant `than` (checked in SQL: a local
 *    time is read in ORG_TIMEZONE with PostgreSQL's DST rules).
 */
export type RowRule =
  | { kind: 'requiredWhen'; column: string; when: string }
  | { kind: 'atLeastOne'; columns: readonly string[] }
  | { kind: 'notBefore'; column: string; than: string };

export interface EntitySpec {
  entity: ImportEntity;
  fileName: string;
  table: string;
  /** the upsert key: the table's primary key */
  key: readonly string[];
  columns: readonly ColumnSpec[];
  rowRules?: readonly RowRule[];
}

const id = (name: string, required: boolean, references?: ColumnReference): ColumnSpec => ({ name, type: 'id', required, references });
const text = (name: string, required = false): ColumnSpec => ({ name, type: 'text', required });
const date = (name: string, required: boolean): ColumnSpec => ({ name, type: 'date', required });
const timestamp = (name: string, required: boolean): ColumnSpec => ({ name, type: 'timestamp', required });

const TEAM: ColumnReference = { noun: 'team', table: 'teams', column: 'team_id' };
const AGENT: ColumnReference = { noun: 'agent', table: 'agents', column: 'agent_id' };
const CUSTOMER: ColumnReference = { noun: 'customer', table: 'customers', column: 'customer_id' };
const TICKET: ColumnReference = { noun: 'ticket', table: 'tickets', column: 'ticket_id' };

export const ORDER_STATUSES = ['completed', 'refunded', 'cancelled'] as const;
export const TICKET_CHANNELS = ['phone', 'email', 'chat', 'social', 'in_person'] as const;
/** The data contract's complaint categories (one list for the whole code base). */
export { COMPLAINT_CATEGORIES } from '../kpis/domain/kpi-catalogue';

export const ENTITY_SPECS: Readonly<Record<ImportEntity, EntitySpec>> = {
  teams: {
    entity: 'teams',
    fileName: 'teams.csv',
    table: 'teams',
    key: ['team_id'],
    columns: [
      id('team_id', true),
      text('name', true),
      // A parent may come later in the same file; cycles are checked after merging with the database.
      id('parent_team_id', false, { ...TEAM, sameFile: true }),
    ],
  },
  agents: {
    entity: 'agents',
    fileName: 'agents.csv',
    table: 'agents',
    key: ['agent_id'],
    columns: [
      id('agent_id', true),
      text('name', true),
      text('email'), // unique when present, case-insensitively
      id('team_id', true, TEAM),
      text('title'),
      date('hired_on', true),
      date('left_on', false),
    ],
  },
  customers: {
    entity: 'customers',
    fileName: 'customers.csv',
    table: 'customers',
    key: ['customer_id'],
    columns: [
      id('customer_id', true),
      text('name'),
      text('segment'),
      date('acquired_on', true),
      date('churned_on', false),
      id('owner_agent_id', false, AGENT),
    ],
  },
  assignments: {
    entity: 'assignments',
    fileName: 'assignments.csv',
    table: 'assignments',
    key: ['customer_id', 'assigned_on'],
    columns: [id('customer_id', true, CUSTOMER), id('agent_id', true, AGENT), date('assigned_on', true)],
  },
  orders: {
    entity: 'orders',
    fileName: 'orders.csv',
    table: 'orders',
    key: ['order_id'],
    columns: [
      id('order_id', true),
      id('customer_id', true, CUSTOMER),
      timestamp('ordered_at', true),
      { name: 'amount', type: 'money', required: true, min: 0 },
      { name: 'gross_margin', type: 'money', required: false },
      { name: 'status', type: 'enum', required: false, enumValues: ORDER_STATUSES, defaultValue: 'completed' },
    ],
  },
  tickets: {
    entity: 'tickets',
    fileName: 'tickets.csv',
    table: 'tickets',
    key: ['ticket_id'],
    columns: [
      id('ticket_id', true),
      id('customer_id', true, CUSTOMER),
      id('agent_id', true, AGENT),
      id('team_id', false, TEAM),
      { name: 'channel', type: 'enum', required: true, enumValues: TICKET_CHANNELS },
      text('category'),
      timestamp('opened_at', true),
      timestamp('first_response_at', false),
      timestamp('resolved_at', false),
      { name: 'contact_count', type: 'integer', required: true, min: 1 },
      { name: 'reopened', type: 'boolean', required: false, defaultValue: false },
      { name: 'handle_seconds', type: 'integer', required: false, min: 0 },
      { name: 'is_complaint', type: 'boolean', required: false, defaultValue: false },
      { name: 'complaint_category', type: 'enum', required: false, enumValues: COMPLAINT_CATEGORIES },
      { name: 'complaint_controllable', type: 'boolean', required: false },
    ],
    rowRules: [
      { kind: 'notBefore', column: 'first_response_at', than: 'opened_at' },
      { kind: 'notBefore', column: 'resolved_at', than: 'opened_at' },
      { kind: 'requiredWhen', column: 'complaint_category', when: 'is_complaint' },
    ],
  },
  surveys: {
    entity: 'surveys',
    fileName: 'surveys.csv',
    table: 'surveys',
    key: ['survey_id'],
    columns: [
      id('survey_id', true),
      id('customer_id', true, CUSTOMER),
      id('agent_id', true, AGENT),
      id('ticket_id', false, TICKET),
      timestamp('responded_at', true),
      { name: 'csat', type: 'integer', required: false, min: 1, max: 5 },
      { name: 'nps', type: 'integer', required: false, min: 0, max: 10 },
      { name: 'ces', type: 'integer', required: false, min: 1, max: 7 },
    ],
    rowRules: [{ kind: 'atLeastOne', columns: ['csat', 'nps', 'ces'] }],
  },
  training: {
    entity: 'training',
    fileName: 'training.csv',
    table: 'training',
    key: ['training_id'],
    columns: [
      id('training_id', true),
      id('agent_id', true, AGENT),
      date('completed_on', true),
      { name: 'hours', type: 'decimal', required: true, greaterThan: 0 },
      text('course'),
    ],
  },
};

/** The contract's file name of an entity: `teams.csv` … */
export function fileNameOf(entity: ImportEntity): string {
  return ENTITY_SPECS[entity].fileName;
}

export function isImportEntity(value: string): value is ImportEntity {
  return (IMPORT_ORDER as readonly string[]).includes(value);
}

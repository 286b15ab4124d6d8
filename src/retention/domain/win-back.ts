/**
 * Win-back tasks (shared/spec/retention.md, "Win-back tasks"): the confirmation window, the
 * closing rules and the contact channels. Pure code.
 *
 * Confirmation window. "A task counts as a win-back only when the customer has a completed
 * order dated within WINBACK_WINDOW_DAYS (N) after the task was opened": the window is the N
 * whole local days after the opening day,
 *
 *     (opened_on, opened_on + N]      i.e. opened_on + 1 … opened_on + N, both included,
 *
 * with orders taken by their local date (ordered_on), like every other "dated" rule. So an
 * order on the last day, opened_on + N, counts; one dated on the opening day itself does not
 * (it may predate the task, which a date alone cannot tell). The window has ended once that
 * last day is over: the daily pass run on day `today` settles every task whose
 * window_ends_on < today. A task is `confirmed` iff such an order exists — whatever outcome
 * the agent recorded — and `not_confirmed` otherwise; until then it is `pending`.
 */
import { COMPLAINT_CATEGORIES, type ComplaintCategory } from '../../kpis/domain/kpi-catalogue';
import { addDays, compareDates, type LocalDate } from '../../periods/domain/period';

export const TASK_STATUSES = ['open', 'closed'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const TASK_OUTCOMES = ['retained', 'lost', 'not_pursued'] as const;
export type TaskOutcome = (typeof TASK_OUTCOMES)[number];

export const CONFIRMATIONS = ['pending', 'confirmed', 'not_confirmed'] as const;
export type Confirmation = (typeof CONFIRMATIONS)[number];

export const TASK_SOURCES = ['weekly', 'manual'] as const;
export type TaskSource = (typeof TASK_SOURCES)[number];

/** Contact channels: the ticket channels of the data contract. */
export const CONTACT_CHANNELS = ['phone', 'email', 'chat', 'social', 'in_person'] as const;
export type ContactChannel = (typeof CONTACT_CHANNELS)[number];

/** Churn reasons: the complaint categories of the data contract. */
export const CHURN_REASONS: readonly ComplaintCategory[] = COMPLAINT_CATEGORIES;

/** Days from opening to the due date of a task opened by the weekly job. */
export const TASK_DUE_DAYS = 14;

/** The last day of the confirmation window: opened_on + N. */
export function windowEndsOn(openedOn: LocalDate, windowDays: number): LocalDate {
  if (!Number.isInteger(windowDays) || windowDays < 1) throw new RangeError(`window days must be a whole number ≥ 1, got ${windowDays}`);
  return addDays(openedOn, windowDays);
}

/** Whether an order dated `orderedOn` confirms a task opened on `openedOn` with window end `endsOn`. */
export function inWindow(orderedOn: LocalDate, openedOn: LocalDate, endsOn: LocalDate): boolean {
  return compareDates(orderedOn, openedOn) > 0 && compareDates(orderedOn, endsOn) <= 0;
}

/** The window has ended (the task can be settled) on `today` when its last day is before today. */
export function windowEnded(endsOn: LocalDate, today: LocalDate): boolean {
  return compareDates(endsOn, today) < 0;
}

export interface CloseInput {
  outcome?: unknown;
  churn_reason?: unknown;
  controllable?: unknown;
  note?: unknown;
}

export interface CloseDecision {
  outcome: TaskOutcome;
  churnReason: ComplaintCategory | null;
  controllable: boolean | null;
  note: string | null;
}

export interface FieldProblem {
  field: string;
  value?: unknown;
  reason: string;
}

/**
 * Checks a close request: an outcome; when lost, a churn reason (a complaint category) and
 * whether it was controllable (a boolean); otherwise neither. Returns every problem, each
 * naming its field.
 */
export function validateClose(input: CloseInput): { ok: true; value: CloseDecision } | { ok: false; errors: FieldProblem[] } {
  const errors: FieldProblem[] = [];
  const outcome = input.outcome;
  if (typeof outcome !== 'string' || !(TASK_OUTCOMES as readonly string[]).includes(outcome)) {
    errors.push({ field: 'outcome', value: outcome ?? null, reason: `must be one of ${TASK_OUTCOMES.join(', ')}` });
  }
  const lost = outcome === 'lost';
  const reason = input.churn_reason;
  const controllable = input.controllable;
  if (lost) {
    if (reason === undefined || reason === null) errors.push({ field: 'churn_reason', value: null, reason: `required when the outcome is lost: one of ${CHURN_REASONS.join(', ')}` });
    else if (typeof reason !== 'string' || !(CHURN_REASONS as readonly string[]).includes(reason.toLowerCase())) {
      errors.push({ field: 'churn_reason', value: reason, reason: `must be one of ${CHURN_REASONS.join(', ')}` });
    }
    if (controllable === undefined || controllable === null) errors.push({ field: 'controllable', value: null, reason: 'required when the outcome is lost: true or false' });
    else if (typeof controllable !== 'boolean') errors.push({ field: 'controllable', value: controllable, reason: 'must be true or false' });
  } else if (typeof outcome === 'string' && errors.length === 0) {
    if (reason !== undefined && reason !== null) errors.push({ field: 'churn_reason', value: reason, reason: 'only for the outcome lost' });
    if (controllable !== undefined && controllable !== null) errors.push({ field: 'controllable', value: controllable, reason: 'only for the outcome lost' });
  }
  const note = input.note;
  if (note !== undefined && note !== null && (typeof note !== 'string' || note.length > 4000)) {
    errors.push({ field: 'note', value: typeof note === 'string' ? `${note.slice(0, 40)}…` : note, reason: 'a text of at most 4000 characters' });
  }
  if (errors.length) return { ok: false, errors };
  return {
    ok: true,
    value: {
      outcome: outcome as TaskOutcome,
      churnReason: lost ? ((reason as string).toLowerCase() as ComplaintCategory) : null,
      controllable: lost ? (controllable as boolean) : null,
      note: typeof note === 'string' && note.trim() !== '' ? note : null,
    },
  };
}

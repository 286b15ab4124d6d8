/**
 * Scoring of a mystery-shopper audit (shared/spec/evaluations.md, "Score"). Pure: no Nest,
 * ORM or I/O; plain objects in, plain objects out.
 *
 * - Every criterion of the form is answered exactly once: a value of its type, or "na" where
 *   the criterion allows N/A. Anything else is rejected with the answer and criterion named.
 * - Points s of an answer: yes_no — yes = 1, no = 0; scale — v in 1…5 scores (v − 1) / 4;
 *   "na" has no points and drops out of the weighting.
 * - Score = 100 × Σ w·s / Σ w over the applicable (non-N/A) criteria.
 * - Auto-fail: a critical criterion answered "no" (or 1 on a scale) makes the score 0, and
 *   the result names every critical criterion that failed, in form order. A critical
 *   criterion answered "na" (where allowed) does not fail.
 * - Rule for all-N/A: when every criterion is N/A, Σ w = 0 and there is nothing to score:
 *   the score is null (never 0, never 100). Such an audit may be saved as a draft but cannot
 *   be finalised (it would have no score to count), see NOTHING_APPLICABLE.
 */
import { criteriaOf, type Criterion, type FormDefinition, type PlacedCriterion } from './audit-form';

export const NA = 'na' as const;
export type ScaleValue = 1 | 2 | 3 | 4 | 5;
export type AnswerValue = 'yes' | 'no' | typeof NA | ScaleValue;

export interface Answer {
  criterion_id: string;
  value: AnswerValue;
  /** the auditor's free-text note on this criterion */
  note: string | null;
}

export interface AnswerError {
  field: string;
  value?: unknown;
  reason: string;
}

export const MAX_NOTE_LENGTH = 2000;

/** Why an audit whose every criterion is N/A has no score (and cannot be finalised). */
export const NOTHING_APPLICABLE = 'every criterion is N/A: there is nothing to score (Σ weight of applicable criteria is 0), so the score is null';

/** Thrown by scoreAudit when given answers that validateAnswers rejects. */
export class InvalidAnswersError extends Error {
  constructor(readonly errors: AnswerError[]) {
    super(`Invalid answers: ${errors.map((e) => `${e.field}: ${e.reason}`).join('; ')}`);
    this.name = 'InvalidAnswersError';
  }
}

const ANSWER_KEYS = new Set(['criterion_id', 'value', 'note']);

/**
 * Checks raw answers (JSON) against a form: an array of {criterion_id, value, note?}, each
 * criterion exactly once, values of the criterion's type, "na" only where allowed. Returns
 * the answers normalised (form order, note null when absent) when there is no error.
 */
export function validateAnswers(def: FormDefinition, raw: unknown): { answers: Answer[] | null; errors: AnswerError[] } {
  const errors: AnswerError[] = [];
  if (!Array.isArray(raw)) {
    return { answers: null, errors: [{ field: 'answers', value: raw, reason: 'must be a list of {criterion_id, value, note?}, one per criterion of the form' }] };
  }
  const criteria = new Map<string, PlacedCriterion>(criteriaOf(def).map((c) => [c.id, c]));
  const seenAt = new Map<string, number>();
  const byId = new Map<string, Answer>();
  raw.forEach((a: unknown, i: number) => {
    const at = `answers[${i}]`;
    if (typeof a !== 'object' || a === null || Array.isArray(a)) {
      errors.push({ field: at, value: a, reason: 'must be an object {criterion_id, value, note?}' });
      return;
    }
    const o = a as Record<string, unknown>;
    for (const k of Object.keys(o)) if (!ANSWER_KEYS.has(k)) errors.push({ field: `${at}.${k}`, reason: 'unknown field; allowed: criterion_id, value, note' });
    const id = o.criterion_id;
    if (typeof id !== 'string' || id === '') {
      errors.push({ field: `${at}.criterion_id`, value: id, reason: 'must name a criterion of the form' });
      return;
    }
    const c = criteria.get(id);
    if (!c) {
      errors.push({ field: `${at}.criterion_id`, value: id, reason: `unknown criterion ${JSON.stringify(id)}: not in this form version` });
      return;
    }
    const first = seenAt.get(id);
    if (first !== undefined) {
      errors.push({ field: `${at}.criterion_id`, value: id, reason: `criterion ${JSON.stringify(id)} is answered twice (answers[${first}] and answers[${i}]); answer each criterion once` });
      return;
    }
    seenAt.set(id, i);
    let ok = true;
    const valueProblem = checkValue(c, o.value);
    if (valueProblem) {
      errors.push({ field: `${at}.value`, value: o.value, reason: `criterion ${JSON.stringify(id)}: ${valueProblem}` });
      ok = false;
    }
    const note = o.note;
    if (note !== undefined && note !== null && (typeof note !== 'string' || note.length > MAX_NOTE_LENGTH)) {
      errors.push({ field: `${at}.note`, value: typeof note === 'string' ? `${note.slice(0, 40)}…` : note, reason: `criterion ${JSON.stringify(id)}: a note is a text of at most ${MAX_NOTE_LENGTH} characters` });
      ok = false;
    }
    if (ok) byId.set(id, { criterion_id: id, value: o.value as AnswerValue, note: typeof note === 'string' && note.trim() !== '' ? note : null });
  });
  for (const c of criteria.values()) {
    if (!seenAt.has(c.id)) {
      errors.push({
        field: 'answers',
        value: c.id,
        reason: `criterion ${JSON.stringify(c.id)} (section ${JSON.stringify(c.section_id)}: ${JSON.stringify(c.label)}) is not answered; give ${expected(c)}`,
      });
    }
  }
  if (errors.length) return { answers: null, errors };
  return { answers: criteriaOf(def).map((c) => byId.get(c.id)!), errors };
}

/** What a criterion accepts, in words. */
function expected(c: Criterion): string {
  const base = c.type === 'yes_no' ? '"yes" or "no"' : 'an integer from 1 to 5';
  return c.allow_na ? `${base}, or "na"` : base;
}

/** Why a value does not fit a criterion, or null when it does. */
function checkValue(c: Criterion, v: unknown): string | null {
  if (v === NA) return c.allow_na ? null : `N/A is not allowed for this criterion; give ${expected(c)}`;
  if (c.type === 'yes_no') return v === 'yes' || v === 'no' ? null : `a yes_no criterion takes ${expected(c)}, got ${JSON.stringify(v) ?? 'nothing'}`;
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 5 ? null : `a scale criterion takes ${expected(c)}, got ${JSON.stringify(v) ?? 'nothing'}`;
}

/** Points s of one answer: yes = 1, no = 0, scale v → (v − 1) / 4, N/A → null. */
export function answerPoints(type: Criterion['type'], value: AnswerValue): number | null {
  if (value === NA) return null;
  if (type === 'yes_no') {
    if (value === 'yes') return 1;
    if (value === 'no') return 0;
    throw new RangeError(`a yes_no answer is "yes", "no" or "na", got ${JSON.stringify(value)}`);
  }
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 5) {
    throw new RangeError(`a scale answer is an integer 1–5 or "na", got ${JSON.stringify(value)}`);
  }
  return (value - 1) / 4;
}

/** Whether an answer fails a critical criterion: "no", or 1 on a scale. */
export function failsCritical(c: Criterion, value: AnswerValue): boolean {
  return c.critical && (value === 'no' || value === 1);
}

export interface CriterionResult {
  criterion_id: string;
  section_id: string;
  weight: number;
  /** s: 0…1, null for N/A */
  points: number | null;
  /** whether it counts in the weighting (not N/A) */
  applicable: boolean;
  /** a critical criterion answered no / 1 */
  failed_critical: boolean;
}

export interface AuditScore {
  /** 0–100; 0 on auto-fail; null when every criterion is N/A (NOTHING_APPLICABLE) */
  score: number | null;
  auto_failed: boolean;
  /** critical criteria answered no (or 1), in form order; empty unless auto-failed */
  failed_criteria: string[];
  /** Σ w over applicable criteria */
  applicable_weight: number;
  /** Σ w·s over applicable criteria */
  earned_weight: number;
  /** 100 × Σ w·s / Σ w before the auto-fail rule (null when nothing is applicable) */
  score_before_auto_fail: number | null;
  criteria: CriterionResult[];
}

/**
 * The score of a complete set of answers (validated against the form: throws an
 * InvalidAnswersError otherwise).
 */
export function scoreAudit(def: FormDefinition, rawAnswers: readonly Answer[]): AuditScore {
  const { answers, errors } = validateAnswers(def, rawAnswers);
  if (!answers) throw new InvalidAnswersError(errors);
  const byId = new Map(answers.map((a) => [a.criterion_id, a]));
  let applicableWeight = 0;
  let earnedWeight = 0;
  const failed: string[] = [];
  const criteria: CriterionResult[] = criteriaOf(def).map((c) => {
    const a = byId.get(c.id)!;
    const points = answerPoints(c.type, a.value);
    const fail = failsCritical(c, a.value);
    if (fail) failed.push(c.id);
    if (points !== null) {
      applicableWeight += c.weight;
      earnedWeight += c.weight * points;
    }
    return { criterion_id: c.id, section_id: c.section_id, weight: c.weight, points, applicable: points !== null, failed_critical: fail };
  });
  const raw = applicableWeight > 0 ? (100 * earnedWeight) / applicableWeight : null;
  const autoFailed = failed.length > 0;
  return {
    score: autoFailed ? 0 : raw,
    auto_failed: autoFailed,
    failed_criteria: failed,
    applicable_weight: applicableWeight,
    earned_weight: earnedWeight,
    score_before_auto_fail: raw,
    criteria,
  };
}

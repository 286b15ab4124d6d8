/**
 * Mystery-shopper audit forms (shared/spec/evaluations.md, "Mystery-shopper audits"): their
 * shape and the validation of a form definition. Pure: no Nest, ORM or I/O.
 *
 * A form has sections; a section has criteria. A criterion has a `type` (`yes_no`: yes = 1,
 * no = 0; `scale`: 1–5, v scores (v − 1) / 4), a `weight` > 0, `critical` (answered no, or 1
 * on a scale, the whole audit scores 0) and `allow_na` (whether "not applicable" is allowed).
 * Criterion ids are unique across the whole form: answers name them.
 */

export const CRITERION_TYPES = ['yes_no', 'scale'] as const;
export type CriterionType = (typeof CRITERION_TYPES)[number];

/** The channels an audit (or a calibration session) can be made through. */
export const AUDIT_CHANNELS = ['phone', 'chat', 'email', 'store', 'other'] as const;
export type AuditChannel = (typeof AUDIT_CHANNELS)[number];

export interface Criterion {
  /** unique within the form: 1–64 characters of a–z, 0–9, '_' and '-', starting with a letter or digit */
  id: string;
  label: string;
  /** what the auditor looks for (optional guidance) */
  guidance?: string | null;
  type: CriterionType;
  /** > 0; only relative weights matter */
  weight: number;
  critical: boolean;
  allow_na: boolean;
}

export interface FormSection {
  id: string;
  title: string;
  criteria: Criterion[];
}

/** What a form version holds (immutable once saved; an edit makes a new version). */
export interface FormDefinition {
  name: string;
  description?: string | null;
  /** channels the form is meant for (informative; an audit may use any channel) */
  channels?: AuditChannel[];
  sections: FormSection[];
}

/** One problem of a form definition, naming the field like the API's errors: `sections[1].criteria[0].weight`. */
export interface FormError {
  field: string;
  value?: unknown;
  reason: string;
}

export const ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
export const MAX_SECTIONS = 50;
export const MAX_CRITERIA = 200;
const MAX_TEXT = 2000;

const FORM_KEYS = new Set(['name', 'description', 'channels', 'sections']);
const SECTION_KEYS = new Set(['id', 'title', 'criteria']);
const CRITERION_KEYS = new Set(['id', 'label', 'guidance', 'type', 'weight', 'critical', 'allow_na']);

/**
 * Every problem of a form definition, empty when it is valid. Defensive about runtime types
 * (the definition arrives as JSON): unknown keys, missing fields and wrong types are named.
 */
export function validateFormDefinition(def: unknown): FormError[] {
  const errors: FormError[] = [];
  if (!isObject(def)) return [{ field: '', value: def, reason: 'must be an object with name and sections' }];
  unknownKeys(def, FORM_KEYS, '', errors);
  if (!isText(def.name, 200)) errors.push({ field: 'name', value: def.name, reason: 'must be a non-empty text of at most 200 characters' });
  if (def.description !== undefined && def.description !== null && !isText(def.description, MAX_TEXT, true)) {
    errors.push({ field: 'description', value: def.description, reason: `must be a text of at most ${MAX_TEXT} characters` });
  }
  if (def.channels !== undefined) {
    if (!Array.isArray(def.channels)) errors.push({ field: 'channels', value: def.channels, reason: `must be a list of ${AUDIT_CHANNELS.join(', ')}` });
    else {
      const seen = new Set<unknown>();
      def.channels.forEach((c, i) => {
        if (!(AUDIT_CHANNELS as readonly unknown[]).includes(c)) errors.push({ field: `channels[${i}]`, value: c, reason: `must be one of ${AUDIT_CHANNELS.join(', ')}` });
        else if (seen.has(c)) errors.push({ field: `channels[${i}]`, value: c, reason: `${String(c)} is listed twice` });
        seen.add(c);
      });
    }
  }
  if (!Array.isArray(def.sections) || def.sections.length === 0) {
    errors.push({ field: 'sections', value: def.sections, reason: 'must list at least one section' });
    return errors;
  }
  if (def.sections.length > MAX_SECTIONS) errors.push({ field: 'sections', reason: `at most ${MAX_SECTIONS} sections` });
  const sectionIds = new Map<string, number>();
  const criterionIds = new Map<string, string>();
  let criteriaCount = 0;
  def.sections.forEach((s: unknown, i: number) => {
    const at = `sections[${i}]`;
    if (!isObject(s)) {
      errors.push({ field: at, value: s, reason: 'must be an object with id, title and criteria' });
      return;
    }
    unknownKeys(s, SECTION_KEYS, at, errors);
    if (typeof s.id !== 'string' || !ID_PATTERN.test(s.id)) {
      errors.push({ field: `${at}.id`, value: s.id, reason: 'must be 1–64 characters of a–z, 0–9, _ and -, starting with a letter or digit' });
    } else if (sectionIds.has(s.id)) {
      errors.push({ field: `${at}.id`, value: s.id, reason: `section id ${s.id} is already used by sections[${sectionIds.get(s.id)}]` });
    } else sectionIds.set(s.id, i);
    if (!isText(s.title, 200)) errors.push({ field: `${at}.title`, value: s.title, reason: 'must be a non-empty text of at most 200 characters' });
    if (!Array.isArray(s.criteria) || s.criteria.length === 0) {
      errors.push({ field: `${at}.criteria`, value: s.criteria, reason: 'must list at least one criterion' });
      return;
    }
    s.criteria.forEach((c: unknown, j: number) => {
      criteriaCount += 1;
      const cat = `${at}.criteria[${j}]`;
      errors.push(...validateCriterion(c, cat));
      if (isObject(c) && typeof c.id === 'string' && ID_PATTERN.test(c.id)) {
        const first = criterionIds.get(c.id);
        if (first !== undefined) errors.push({ field: `${cat}.id`, value: c.id, reason: `criterion id ${c.id} is already used by ${first}; ids are unique across the form` });
        else criterionIds.set(c.id, cat);
      }
    });
  });
  if (criteriaCount > MAX_CRITERIA) errors.push({ field: 'sections', reason: `at most ${MAX_CRITERIA} criteria in a form, got ${criteriaCount}` });
  return errors;
}

function validateCriterion(c: unknown, at: string): FormError[] {
  const errors: FormError[] = [];
  if (!isObject(c)) return [{ field: at, value: c, reason: 'must be an object with id, label, type, weight, critical and allow_na' }];
  unknownKeys(c, CRITERION_KEYS, at, errors);
  if (typeof c.id !== 'string' || !ID_PATTERN.test(c.id)) {
    errors.push({ field: `${at}.id`, value: c.id, reason: 'must be 1–64 characters of a–z, 0–9, _ and -, starting with a letter or digit' });
  }
  if (!isText(c.label, 300)) errors.push({ field: `${at}.label`, value: c.label, reason: 'must be a non-empty text of at most 300 characters' });
  if (c.guidance !== undefined && c.guidance !== null && !isText(c.guidance, MAX_TEXT, true)) {
    errors.push({ field: `${at}.guidance`, value: c.guidance, reason: `must be a text of at most ${MAX_TEXT} characters` });
  }
  if (!(CRITERION_TYPES as readonly unknown[]).includes(c.type)) errors.push({ field: `${at}.type`, value: c.type, reason: `must be one of ${CRITERION_TYPES.join(', ')}` });
  if (typeof c.weight !== 'number' || !Number.isFinite(c.weight) || c.weight <= 0) errors.push({ field: `${at}.weight`, value: c.weight, reason: 'must be a number > 0' });
  if (typeof c.critical !== 'boolean') errors.push({ field: `${at}.critical`, value: c.critical, reason: 'must be true or false' });
  if (typeof c.allow_na !== 'boolean') errors.push({ field: `${at}.allow_na`, value: c.allow_na, reason: 'must be true or false' });
  return errors;
}

/** A validated definition with optional fields normalised (guidance null, channels [] when absent). */
export function normaliseFormDefinition(def: FormDefinition): FormDefinition {
  return {
    name: def.name.trim(),
    description: def.description ?? null,
    channels: def.channels ?? [],
    sections: def.sections.map((s) => ({
      id: s.id,
      title: s.title,
      criteria: s.criteria.map((c) => ({ id: c.id, label: c.label, guidance: c.guidance ?? null, type: c.type, weight: c.weight, critical: c.critical, allow_na: c.allow_na })),
    })),
  };
}

/** A criterion with the section it belongs to, in form order. */
export interface PlacedCriterion extends Criterion {
  section_id: string;
  section_title: string;
}

/** Every criterion of a form in form order (section by section). */
export function criteriaOf(def: FormDefinition): PlacedCriterion[] {
  return def.sections.flatMap((s) => s.criteria.map((c) => ({ ...c, section_id: s.id, section_title: s.title })));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isText(v: unknown, max: number, allowEmpty = false): v is string {
  return typeof v === 'string' && (allowEmpty || v.trim().length > 0) && v.length <= max;
}

function unknownKeys(o: Record<string, unknown>, allowed: Set<string>, at: string, errors: FormError[]): void {
  for (const k of Object.keys(o)) {
    if (!allowed.has(k)) errors.push({ field: at ? `${at}.${k}` : k, reason: `unknown field; allowed: ${[...allowed].join(', ')}` });
  }
}

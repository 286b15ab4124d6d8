import { defineEntity, p } from '@mikro-orm/core';

/**
 * A 360-degree feedback cycle (shared/spec/evaluations.md): subjects (agents), competencies
 * with 1–5 rating questions, an open and a close date (local dates in ORG_TIMEZONE, both
 * inclusive), and rater assignments per subject in groups. A cycle is never edited once
 * created, so its closed results cannot be re-opened and compared.
 */
export const FeedbackCycleSchema = defineEntity({
  name: 'FeedbackCycle',
  tableName: 'feedback_cycles',
  properties: {
    id: p.integer().primary().autoincrement(),
    name: p.text(),
    /** first local day responses are accepted */
    opensOn: p.date().fieldName('opens_on'),
    /** last local day responses are accepted; the cycle is closed from the next day on */
    closesOn: p.date().index().fieldName('closes_on'),
    createdAt: p.datetime().fieldName('created_at'),
    createdBy: p.text().nullable().fieldName('created_by'),
  },
  checks: [{ name: 'feedback_cycles_dates_check', expression: 'opens_on <= closes_on' }],
});
export class FeedbackCycle extends FeedbackCycleSchema.class {}
FeedbackCycleSchema.setClass(FeedbackCycle);

/** A competency of a cycle, in the cycle's order. */
export const FeedbackCompetencySchema = defineEntity({
  name: 'FeedbackCompetency',
  tableName: 'feedback_competencies',
  properties: {
    id: p.integer().primary().autoincrement(),
    cycleId: p.integer().fieldName('cycle_id'),
    position: p.integer(),
    name: p.text(),
    description: p.text().nullable(),
  },
  uniques: [{ name: 'feedback_competencies_cycle_position_unique', properties: ['cycleId', 'position'] }],
});
export class FeedbackCompetency extends FeedbackCompetencySchema.class {}
FeedbackCompetencySchema.setClass(FeedbackCompetency);

/** A 1–5 rating question of a competency. */
export const FeedbackQuestionSchema = defineEntity({
  name: 'FeedbackQuestion',
  tableName: 'feedback_questions',
  properties: {
    id: p.integer().primary().autoincrement(),
    cycleId: p.integer().index().fieldName('cycle_id'),
    competencyId: p.integer().fieldName('competency_id'),
    position: p.integer(),
    text: p.text(),
  },
  uniques: [{ name: 'feedback_questions_competency_position_unique', properties: ['competencyId', 'position'] }],
});
export class FeedbackQuestion extends FeedbackQuestionSchema.class {}
FeedbackQuestionSchema.setClass(FeedbackQuestion);

/** An agent whose feedback a cycle collects. */
export const FeedbackSubjectSchema = defineEntity({
  name: 'FeedbackSubject',
  tableName: 'feedback_subjects',
  properties: {
    cycleId: p.integer().primary().fieldName('cycle_id'),
    agentId: p.string().length(64).collation('C').primary().index().fieldName('agent_id'),
  },
});
export class FeedbackSubject extends FeedbackSubjectSchema.class {}
FeedbackSubjectSchema.setClass(FeedbackSubject);

/**
 * A rater asked to give feedback on one subject, in one group. Raters are *users* (they log
 * in to answer; an agent rater is the user linked to that agent): `rater_user_id` is
 * users.id. One assignment per (cycle, subject, rater), hence one response per rater and
 * subject.
 */
export const FeedbackAssignmentSchema = defineEntity({
  name: 'FeedbackAssignment',
  tableName: 'feedback_assignments',
  properties: {
    id: p.integer().primary().autoincrement(),
    cycleId: p.integer().fieldName('cycle_id'),
    subjectAgentId: p.string().length(64).collation('C').fieldName('subject_agent_id'),
    raterUserId: p.integer().index().fieldName('rater_user_id'),
    raterGroup: p.string().length(16).fieldName('rater_group'),
  },
  uniques: [{ name: 'feedback_assignments_cycle_subject_rater_unique', properties: ['cycleId', 'subjectAgentId', 'raterUserId'] }],
  checks: [
    {
      name: 'feedback_assignments_rater_group_check',
      expression: "rater_group in ('self', 'manager', 'peer', 'direct_report', 'customer')",
    },
  ],
});
export class FeedbackAssignment extends FeedbackAssignmentSchema.class {}
FeedbackAssignmentSchema.setClass(FeedbackAssignment);

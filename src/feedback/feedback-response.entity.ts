import { defineEntity, p } from '@mikro-orm/core';

/**
 * A rater's response on one subject: one per assignment (the primary key), replaced while
 * the cycle is open. Deliberately without timestamps or a sequence: nothing records when a
 * rater answered or in which order raters answered.
 */
export const FeedbackResponseSchema = defineEntity({
  name: 'FeedbackResponse',
  tableName: 'feedback_responses',
  properties: {
    assignmentId: p.integer().primary().autoincrement(false).fieldName('assignment_id'),
    /** the optional general comment */
    comment: p.text().nullable(),
  },
});
export class FeedbackResponse extends FeedbackResponseSchema.class {}
FeedbackResponseSchema.setClass(FeedbackResponse);

/** The answer to one question: a rating 1–5, or null for "cannot rate". */
export const FeedbackAnswerSchema = defineEntity({
  name: 'FeedbackAnswer',
  tableName: 'feedback_answers',
  properties: {
    assignmentId: p.integer().primary().fieldName('assignment_id'),
    questionId: p.integer().primary().index().fieldName('question_id'),
    rating: p.smallint().nullable(),
  },
  checks: [{ name: 'feedback_answers_rating_check', expression: 'rating >= 1 and rating <= 5' }],
});
export class FeedbackAnswer extends FeedbackAnswerSchema.class {}
FeedbackAnswerSchema.setClass(FeedbackAnswer);

/** An optional comment on one competency. */
export const FeedbackCommentSchema = defineEntity({
  name: 'FeedbackComment',
  tableName: 'feedback_comments',
  properties: {
    assignmentId: p.integer().primary().fieldName('assignment_id'),
    competencyId: p.integer().primary().fieldName('competency_id'),
    text: p.text(),
  },
});
export class FeedbackComment extends FeedbackCommentSchema.class {}
FeedbackCommentSchema.setClass(FeedbackComment);

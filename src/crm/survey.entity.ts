import { defineEntity, p } from '@mikro-orm/core';

/** surveys.csv — csat 1–5, nps 0–10, ces 1–7; at least one present. */
export const SurveySchema = defineEntity({
  name: 'Survey',
  tableName: 'surveys',
  properties: {
    surveyId: p.string().length(64).collation('C').primary().fieldName('survey_id'),
    customerId: p.string().length(64).collation('C').fieldName('customer_id'),
    agentId: p.string().length(64).collation('C').fieldName('agent_id'),
    ticketId: p.string().length(64).collation('C').nullable().fieldName('ticket_id'),
    respondedAt: p.datetime().fieldName('responded_at'),
    csat: p.smallint().nullable(),
    nps: p.smallint().nullable(),
    ces: p.smallint().nullable(),
  },
  indexes: [
    { name: 'surveys_responded_idx', properties: ['respondedAt'] },
    { name: 'surveys_customer_responded_idx', properties: ['customerId', 'respondedAt'] },
  ],
});
export class Survey extends SurveySchema.class {}
SurveySchema.setClass(Survey);

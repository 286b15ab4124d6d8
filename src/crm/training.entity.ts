import { defineEntity, p } from '@mikro-orm/core';

/** training.csv — learning & growth. */
export const TrainingSchema = defineEntity({
  name: 'Training',
  tableName: 'training',
  properties: {
    trainingId: p.string().length(64).collation('C').primary().fieldName('training_id'),
    agentId: p.string().length(64).collation('C').index().fieldName('agent_id'),
    completedOn: p.date().index().fieldName('completed_on'),
    hours: p.decimal('string').precision(10).scale(2),
    course: p.text().nullable(),
  },
});
export class Training extends TrainingSchema.class {}
TrainingSchema.setClass(Training);

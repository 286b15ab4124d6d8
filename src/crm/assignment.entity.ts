import { defineEntity, p } from '@mikro-orm/core';

/** assignments.csv — portfolio ownership history; key (customer_id, assigned_on). */
export const AssignmentSchema = defineEntity({
  name: 'Assignment',
  tableName: 'assignments',
  properties: {
    customerId: p.string().length(64).collation('C').primary().fieldName('customer_id'),
    assignedOn: p.date().primary().fieldName('assigned_on'),
    agentId: p.string().length(64).collation('C').index().fieldName('agent_id'),
  },
});
export class Assignment extends AssignmentSchema.class {}
AssignmentSchema.setClass(Assignment);

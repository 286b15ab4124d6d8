import { defineEntity, p } from '@mikro-orm/core';

/** customers.csv — owner_agent_id is shorthand for an assignment on acquired_on. */
export const CustomerSchema = defineEntity({
  name: 'Customer',
  tableName: 'customers',
  properties: {
    customerId: p.string().length(64).collation('C').primary().fieldName('customer_id'),
    name: p.text().nullable(),
    segment: p.text().nullable(),
    acquiredOn: p.date().fieldName('acquired_on'),
    churnedOn: p.date().nullable().fieldName('churned_on'),
    ownerAgentId: p.string().length(64).collation('C').nullable().index().fieldName('owner_agent_id'),
  },
});
export class Customer extends CustomerSchema.class {}
CustomerSchema.setClass(Customer);

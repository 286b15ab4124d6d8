import { defineEntity, p } from '@mikro-orm/core';

/** agents.csv — team_id is the agent's current team. */
export const AgentSchema = defineEntity({
  name: 'Agent',
  tableName: 'agents',
  properties: {
    agentId: p.string().length(64).collation('C').primary().fieldName('agent_id'),
    name: p.text(),
    email: p.text().nullable(),
    teamId: p.string().length(64).collation('C').index().fieldName('team_id'),
    title: p.text().nullable(),
    hiredOn: p.date().fieldName('hired_on'),
    leftOn: p.date().nullable().fieldName('left_on'),
  },
  // Unique when present, case-insensitively (used for delivery and login).
  uniques: [{ name: 'agents_email_lower_unique', expression: 'create unique index "agents_email_lower_unique" on "agents" (lower("email")) where "email" is not null' }],
});
export class Agent extends AgentSchema.class {}
AgentSchema.setClass(Agent);

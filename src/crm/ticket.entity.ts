import { defineEntity, p } from '@mikro-orm/core';

/** tickets.csv — service contacts. team_id stays null when the CRM gave none (then: the agent's current team). */
export const TicketSchema = defineEntity({
  name: 'Ticket',
  tableName: 'tickets',
  properties: {
    ticketId: p.string().length(64).collation('C').primary().fieldName('ticket_id'),
    customerId: p.string().length(64).collation('C').fieldName('customer_id'),
    agentId: p.string().length(64).collation('C').fieldName('agent_id'),
    teamId: p.string().length(64).collation('C').nullable().fieldName('team_id'),
    channel: p.string().length(16),
    category: p.text().nullable(),
    openedAt: p.datetime().fieldName('opened_at'),
    firstResponseAt: p.datetime().nullable().fieldName('first_response_at'),
    resolvedAt: p.datetime().nullable().fieldName('resolved_at'),
    contactCount: p.integer().fieldName('contact_count'),
    reopened: p.boolean(),
    handleSeconds: p.integer().nullable().fieldName('handle_seconds'),
    isComplaint: p.boolean().fieldName('is_complaint'),
    complaintCategory: p.string().length(32).nullable().fieldName('complaint_category'),
    complaintControllable: p.boolean().nullable().fieldName('complaint_controllable'),
  },
  indexes: [
    { name: 'tickets_opened_idx', properties: ['openedAt'] },
    { name: 'tickets_resolved_idx', properties: ['resolvedAt'] },
    { name: 'tickets_customer_opened_idx', properties: ['customerId', 'openedAt'] },
  ],
});
export class Ticket extends TicketSchema.class {}
TicketSchema.setClass(Ticket);

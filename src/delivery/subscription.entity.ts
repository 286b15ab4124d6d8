import { defineEntity, p } from '@mikro-orm/core';

export const SUBSCRIPTION_SCOPES = ['org', 'team', 'self'] as const;
export type SubscriptionScope = (typeof SUBSCRIPTION_SCOPES)[number];

/**
 * A user's standing order for the monthly PDF scorecards: `org` (every agent and team),
 * `team` (team_id and all its descendants, with their agents) or `self` (the user's own
 * agent). One row per (user, scope, team). What is actually mailed is always intersected with
 * the user's access at delivery time (see DeliveryRepository.entitledReports).
 */
export const SubscriptionSchema = defineEntity({
  name: 'Subscription',
  tableName: 'subscriptions',
  properties: {
    id: p.integer().primary().autoincrement(),
    userId: p.integer().index('subscriptions_user_id_index').fieldName('user_id'),
    scope: p.string().length(8),
    /** Only for scope `team`. */
    teamId: p.string().length(64).collation('C').nullable().fieldName('team_id'),
    createdAt: p.datetime().fieldName('created_at'),
    /** E-mail of whoever created it (the user, or hr/admin on their behalf). */
    createdBy: p.text().nullable().fieldName('created_by'),
  },
  uniques: [
    {
      name: 'subscriptions_user_scope_team_unique',
      expression: `create unique index "subscriptions_user_scope_team_unique" on "subscriptions" ("user_id", "scope", coalesce("team_id", ''))`,
    },
  ],
  checks: [
    {
      name: 'subscriptions_scope_check',
      expression: "(scope = 'team' and team_id is not null) or (scope in ('org', 'self') and team_id is null)",
    },
  ],
});
export class Subscription extends SubscriptionSchema.class {}
SubscriptionSchema.setClass(Subscription);

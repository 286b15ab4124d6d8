import { defineEntity, p } from '@mikro-orm/core';

export const ROLES = ['admin', 'hr', 'manager', 'team_lead', 'auditor', 'agent'] as const;
export type Role = (typeof ROLES)[number];

/** An authenticated person. Passwords are argon2id hashes. */
export const UserSchema = defineEntity({
  name: 'User',
  tableName: 'users',
  properties: {
    id: p.integer().primary().autoincrement(),
    email: p.text(),
    passwordHash: p.text().fieldName('password_hash'),
    role: p.string().length(16),
    agentId: p.string().length(64).collation('C').nullable().fieldName('agent_id'),
    active: p.boolean().default(true),
    createdAt: p.datetime().fieldName('created_at'),
    updatedAt: p.datetime().fieldName('updated_at'),
  },
  uniques: [{ name: 'users_email_lower_unique', expression: 'create unique index "users_email_lower_unique" on "users" (lower("email"))' }],
});
export class User extends UserSchema.class {}
UserSchema.setClass(User);

/** The teams a team lead leads (each including its descendants). */
export const UserTeamSchema = defineEntity({
  name: 'UserTeam',
  tableName: 'user_teams',
  properties: {
    userId: p.integer().primary().fieldName('user_id'),
    teamId: p.string().length(64).collation('C').primary().fieldName('team_id'),
  },
});
export class UserTeam extends UserTeamSchema.class {}
UserTeamSchema.setClass(UserTeam);

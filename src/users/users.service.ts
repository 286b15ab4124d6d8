import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { dummyPasswordHash, hashPassword, verifyPassword } from '../auth/password';
import type { Principal } from '../auth/principal';
import { ProblemException, type ProblemFieldError } from '../common/problem-details';
import { Agent } from '../crm/agent.entity';
import { Team } from '../crm/team.entity';
import { ROLES, User, UserTeam, type Role } from './user.entity';

export interface UserInput {
  email: string;
  password: string;
  role: Role;
  agentId?: string | null;
  teamIds?: string[];
}

export interface UserView {
  id: number;
  email: string;
  role: Role;
  agent_id: string | null;
  team_ids: string[];
  active: boolean;
  created_at: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** Users, their roles and links (agent, led teams); used by the API, the CLI and the demo. */
@Injectable()
export class UsersService {
  constructor(private readonly em: EntityManager) {}

  private async validate(input: UserInput): Promise<void> {
    const em = this.em.fork();
    const errors: ProblemFieldError[] = [];
    if (!EMAIL.test(input.email)) errors.push({ field: 'email', value: input.email, reason: 'must be an e-mail address' });
    if (input.password.length < 8) errors.push({ field: 'password', reason: 'must be at least 8 characters' });
    if (!ROLES.includes(input.role)) errors.push({ field: 'role', value: input.role, reason: `must be one of ${ROLES.join(', ')}` });
    if (input.role === 'agent' && !input.agentId) errors.push({ field: 'agent_id', reason: 'an agent user must be linked to an agent' });
    if (input.agentId) {
      const agent = await em.findOne(Agent, { agentId: input.agentId });
      if (!agent) errors.push({ field: 'agent_id', value: input.agentId, reason: 'unknown agent' });
    }
    const teamIds = input.teamIds ?? [];
    if (teamIds.length && input.role !== 'team_lead') {
      errors.push({ field: 'team_ids', reason: 'only a team_lead leads teams' });
    }
    if (teamIds.length) {
      const found = await em.find(Team, { teamId: { $in: teamIds } });
      const known = new Set(found.map((t) => t.teamId));
      for (const id of teamIds) if (!known.has(id)) errors.push({ field: 'team_ids', value: id, reason: 'unknown team' });
    }
    if (errors.length) {
      throw new ProblemException(422, 'Unprocessable Content', errors.map((e) => `${e.field}: ${e.reason}`).join('; '), { errors });
    }
  }

  /** Creates the user; with `upsert`, an existing user of that e-mail is updated instead (CLI). */
  async save(input: UserInput, opts: { upsert: boolean }): Promise<{ user: UserView; created: boolean }> {
    await this.validate(input);
    const em = this.em.fork();
    return em.transactional(async (tx) => {
      const existing = await tx.findOne(User, { email: { $ilike: input.email.replace(/([%_\\])/g, '\\$1') } });
      if (existing && !opts.upsert) {
        throw new ProblemException(409, 'Conflict', `a user with e-mail ${input.email} already exists`);
      }
      const now = new Date();
      const hash = await hashPassword(input.password);
      let user: User;
      if (existing) {
        existing.passwordHash = hash;
        existing.role = input.role;
        existing.agentId = input.agentId ?? null;
        existing.updatedAt = now;
        user = existing;
        await tx.nativeDelete(UserTeam, { userId: user.id });
      } else {
        user = tx.create(User, {
          email: input.email,
          passwordHash: hash,
          role: input.role,
          agentId: input.agentId ?? null,
          active: true,
          createdAt: now,
          updatedAt: now,
        });
      }
      await tx.flush();
      for (const teamId of new Set(input.teamIds ?? [])) tx.create(UserTeam, { userId: user.id, teamId });
      await tx.flush();
      return { user: toView(user, [...new Set(input.teamIds ?? [])]), created: !existing };
    });
  }

  async list(): Promise<UserView[]> {
    const em = this.em.fork();
    const users = await em.find(User, {}, { orderBy: { id: 'asc' } });
    const links = await em.find(UserTeam, {});
    return users.map((u) => toView(u, links.filter((l) => l.userId === u.id).map((l) => l.teamId)));
  }

  /** The principal for a user id, or null when the user is unknown or deactivated. */
  async principal(userId: number): Promise<Principal | null> {
    const em = this.em.fork();
    const user = await em.findOne(User, { id: userId, active: true });
    if (!user) return null;
    const teams = await em.find(UserTeam, { userId });
    return {
      userId: user.id,
      email: user.email,
      role: user.role as Role,
      agentId: user.agentId ?? null,
      ledTeamIds: teams.map((t) => t.teamId).sort(),
    };
  }

  /** The user id when e-mail and password match an active user; null otherwise (same cost either way). */
  async verifyLogin(email: string, password: string): Promise<number | null> {
    const em = this.em.fork();
    const user = await em.findOne(User, { email: { $ilike: email.replace(/([%_\\])/g, '\\$1') }, active: true });
    const ok = await verifyPassword(user?.passwordHash ?? (await dummyPasswordHash()), password);
    return user && ok ? user.id : null;
  }
}

function toView(u: User, teamIds: string[]): UserView {
  return {
    id: u.id,
    email: u.email,
    role: u.role as Role,
    agent_id: u.agentId ?? null,
    team_ids: teamIds,
    active: u.active,
    created_at: u.createdAt.toISOString(),
  };
}

import { Inject, Injectable } from '@nestjs/common';
import { ScopeRepository } from '../access/scope.repository';
import { ScopeService } from '../access/scope.service';
import type { Principal } from '../auth/principal';
import type { Clock } from '../common/clock';
import { forbidden, notFound, PROBLEM_BASE, ProblemException, type ProblemFieldError } from '../common/problem-details';
import { CLOCK } from '../periods/periods.service';
import { UsersService } from '../users/users.service';
import type { SubscriptionScope } from './subscription.entity';
import { SubscriptionsRepository, type SubscriptionRow } from './subscriptions.repository';

export interface SubscriptionView {
  subscription_id: number;
  user_id: number;
  email: string;
  scope: SubscriptionScope;
  team_id: string | null;
  created_at: string;
  created_by: string | null;
}

export interface SubscriptionInput {
  userId?: number;
  scope: SubscriptionScope;
  teamId?: string | null;
}

/** Roles that manage other users' subscriptions. */
const MANAGES_OTHERS = new Set(['hr', 'admin']);

const invalid = (errors: ProblemFieldError[]) =>
  new ProblemException(422, 'Unprocessable Content', errors.map((e) => `${e.field}: ${e.reason}`).join('; '), { errors });

const outsideAccess = (field: string, value: unknown, reason: string) =>
  new ProblemException(403, 'Forbidden', `${field}: ${reason}`, { type: `${PROBLEM_BASE}forbidden`, errors: [{ field, value, reason }] });

/**
 * Subscriptions to the monthly PDF scorecards. A subscription must lie within the
 * subscriber's own access (api.md): hr, manager, admin anything; a team lead the teams they
 * lead (descendants included) and their own agent when it is in one of them; an agent only
 * `self`; an auditor nothing. `self` needs a user linked to an agent. Users manage their own;
 * hr and admin anyone's.
 */
@Injectable()
export class SubscriptionsService {
  constructor(
    private readonly repo: SubscriptionsRepository,
    private readonly users: UsersService,
    private readonly scope: ScopeService,
    private readonly scopeRepo: ScopeRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** The caller's own subscriptions; hr and admin: everyone's, or one user's with `userId`. */
  async list(caller: Principal, userId?: number): Promise<SubscriptionView[]> {
    if (userId !== undefined && userId !== caller.userId && !MANAGES_OTHERS.has(caller.role)) {
      throw outsideAccess('user_id', userId, 'only hr and admin may read other users’ subscriptions');
    }
    const of = MANAGES_OTHERS.has(caller.role) ? (userId ?? null) : caller.userId;
    return (await this.repo.list(of)).map(toView);
  }

  async create(caller: Principal, input: SubscriptionInput): Promise<SubscriptionView> {
    const targetId = input.userId ?? caller.userId;
    if (targetId !== caller.userId && !MANAGES_OTHERS.has(caller.role)) {
      throw outsideAccess('user_id', targetId, 'only hr and admin may subscribe other users');
    }
    const teamId = input.teamId ?? null;
    const errors: ProblemFieldError[] = [];
    if (input.scope === 'team' && teamId === null) errors.push({ field: 'team_id', reason: 'is required with scope team' });
    if (input.scope !== 'team' && teamId !== null) errors.push({ field: 'team_id', value: teamId, reason: `must be absent with scope ${input.scope}` });
    const subscriber = targetId === caller.userId ? caller : await this.users.principal(targetId);
    if (!subscriber) errors.push({ field: 'user_id', value: targetId, reason: 'unknown or deactivated user' });
    if (errors.length) throw invalid(errors);
    const user = subscriber!;
    if (input.scope === 'team' && !(await this.scopeRepo.teamExists(teamId!))) throw invalid([{ field: 'team_id', value: teamId, reason: 'unknown team' }]);
    if (input.scope === 'self' && !user.agentId) {
      throw invalid([{ field: 'scope', value: 'self', reason: `user ${user.email} is not linked to an agent (agent_id)` }]);
    }
    await this.assertWithinAccess(user, input.scope, teamId);
    const row = await this.repo.insert({ userId: user.userId, scope: input.scope, teamId, at: this.clock.now(), by: caller.email });
    if (!row) {
      const what = input.scope === 'team' ? `team ${teamId}` : input.scope;
      const fields: ProblemFieldError[] = [{ field: 'scope', value: input.scope, reason: 'already subscribed' }];
      if (teamId !== null) fields.push({ field: 'team_id', value: teamId, reason: 'already subscribed' });
      throw new ProblemException(409, 'Conflict', `user ${user.email} is already subscribed to ${what}`, { errors: fields });
    }
    return toView(row);
  }

  /** Own subscriptions; hr and admin anyone's. */
  async delete(caller: Principal, id: number): Promise<void> {
    const row = await this.repo.find(id);
    if (!row) throw notFound('subscription', String(id));
    if (row.user_id !== caller.userId && !MANAGES_OTHERS.has(caller.role)) throw forbidden(`subscription ${id} belongs to another user`);
    await this.repo.delete(id);
  }

  /** The subscription must not reach beyond what the subscriber may read (the scope rule). */
  private async assertWithinAccess(user: Principal, scope: SubscriptionScope, teamId: string | null): Promise<void> {
    if (user.role === 'auditor') throw outsideAccess('scope', scope, 'auditors receive no scorecards');
    const access = await this.scope.scopeOf(user);
    if (access.all) return;
    if (scope === 'org') throw outsideAccess('scope', scope, 'organisation-wide scorecards are for hr, managers and admins');
    if (user.role === 'agent') {
      if (scope !== 'self') throw outsideAccess('scope', scope, 'an agent may only subscribe to their own scorecard (self)');
      return;
    }
    // team lead
    if (scope === 'team' && !access.teamIds.has(teamId!)) {
      throw outsideAccess('team_id', teamId, `team ${teamId} is neither led by ${user.email} nor below a team they lead`);
    }
    if (scope === 'self') {
      const team = await this.scopeRepo.agentTeam(user.agentId!);
      if (!team || !access.teamIds.has(team)) {
        throw outsideAccess('scope', scope, `agent ${user.agentId} is not in a team ${user.email} leads`);
      }
    }
  }
}

function toView(r: SubscriptionRow): SubscriptionView {
  return {
    subscription_id: r.id,
    user_id: r.user_id,
    email: r.email,
    scope: r.scope,
    team_id: r.team_id,
    created_at: r.created_at.toISOString(),
    created_by: r.created_by,
  };
}

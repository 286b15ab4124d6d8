import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { forbidden, notFound } from '../common/problem-details';
import { ScopeRepository } from './scope.repository';

/**
 * The one scope rule — "which teams and agents may this user see" — used by every endpoint
 * that serves KPIs, scorecards, reports, customers or evaluations:
 * - admin, hr, manager: everything;
 * - team_lead: the teams they lead and all descendants, and the agents whose *current* team is one of them;
 * - agent: themselves only;
 * - auditor: none of it (audits have their own rule).
 */
export interface Scope {
  all: boolean;
  /** Visible teams (descendants included); empty when `all`. */
  teamIds: ReadonlySet<string>;
  /** For an agent: their own id. */
  selfAgentId: string | null;
}

const SEES_ALL = new Set(['admin', 'hr', 'manager']);

@Injectable()
export class ScopeService {
  constructor(private readonly repo: ScopeRepository) {}

  async scopeOf(p: Principal): Promise<Scope> {
    if (SEES_ALL.has(p.role)) return { all: true, teamIds: new Set(), selfAgentId: null };
    if (p.role === 'team_lead') {
      return { all: false, teamIds: new Set(await this.repo.teamsWithDescendants(p.ledTeamIds)), selfAgentId: null };
    }
    if (p.role === 'agent') return { all: false, teamIds: new Set(), selfAgentId: p.agentId };
    return { all: false, teamIds: new Set(), selfAgentId: null };
  }

  /** 404 for an unknown agent, 403 for one outside the caller's scope. */
  async assertAgentVisible(p: Principal, agentId: string): Promise<void> {
    await this.assertAgentVisibleWithTeam(p, agentId, await this.repo.agentTeam(agentId));
  }

  /**
   * The same rule when the caller has just read the agent's current team itself (a hot read
   * path reads it in the same round trip as its data): `team` undefined = no such agent (404),
   * null = an agent without a team.
   */
  async assertAgentVisibleWithTeam(p: Principal, agentId: string, team: string | null | undefined): Promise<void> {
    if (team === undefined) throw notFound('agent', agentId);
    const scope = await this.scopeOf(p);
    if (scope.all || scope.selfAgentId === agentId || (team !== null && scope.teamIds.has(team))) return;
    throw forbidden(`agent ${agentId} is outside your scope`);
  }

  /** 404 for an unknown team, 403 for one outside the caller's scope. */
  async assertTeamVisible(p: Principal, teamId: string): Promise<void> {
    if (!(await this.repo.teamExists(teamId))) throw notFound('team', teamId);
    const scope = await this.scopeOf(p);
    if (scope.all || scope.teamIds.has(teamId)) return;
    throw forbidden(`team ${teamId} is outside your scope`);
  }

  /** Only roles that see everything may read organisation-wide figures. */
  async assertOrgVisible(p: Principal): Promise<void> {
    if (!(await this.scopeOf(p)).all) throw forbidden('organisation-wide figures are for hr, managers and admins');
  }

  /** A customer is visible when its owner today is a visible agent (or the caller sees everything). */
  async assertCustomerVisible(p: Principal, customerId: string, today: string): Promise<void> {
    const { exists, ownerAgentId } = await this.repo.customerOwnerNow(customerId, today);
    if (!exists) throw notFound('customer', customerId);
    const scope = await this.scopeOf(p);
    if (scope.all) return;
    if (ownerAgentId !== null) {
      if (scope.selfAgentId === ownerAgentId) return;
      const team = await this.repo.agentTeam(ownerAgentId);
      if (team && scope.teamIds.has(team)) return;
    }
    throw forbidden(`customer ${customerId} is outside your scope`);
  }
}

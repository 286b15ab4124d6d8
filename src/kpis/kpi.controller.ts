import { Controller, Get, Headers, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ScopeService } from '../access/scope.service';
import { ScopeRepository } from '../access/scope.repository';
import { CurrentUser } from '../auth/current-user.decorator';
import type { Principal } from '../auth/principal';
import { Roles } from '../auth/roles.decorator';
import { ProblemException } from '../common/problem-details';
import { comparePeriods, periodsBetween } from '../periods/domain/period';
import { kpiTableCsv } from './kpi-csv';
import { KpiQueryService } from './kpi-query.service';
import { PeriodQueryDto, SeriesDto, SeriesQueryDto, SubjectKpisDto, TeamAgentsKpisDto } from './kpi-response.dto';

const READERS = ['admin', 'hr', 'manager', 'team_lead', 'agent'] as const;

@ApiTags('kpis')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'outside the caller’s scope (problem details)' })
@ApiNotFoundResponse({ description: 'unknown agent or team (problem details)' })
@Controller('api/v1')
export class KpiController {
  constructor(
    private readonly kpis: KpiQueryService,
    private readonly scope: ScopeService,
    private readonly scopeRepo: ScopeRepository,
  ) {}

  /** Every KPI of an agent for a month, with numerator, denominator, sample size and trends. */
  @Get('agents/:agent_id/kpis')
  @Roles(...READERS)
  @ApiOkResponse({ type: SubjectKpisDto })
  async agent(
    @Param('agent_id') agentId: string,
    @Query() q: PeriodQueryDto,
    @CurrentUser() user: Principal,
    @Res({ passthrough: true }) res: Response,
  ): Promise<SubjectKpisDto | string> {
    if (q.version !== undefined) {
      await this.scope.assertAgentVisible(user, agentId);
      return this.kpis.forSubject(q.period, 'agent', agentId, q.version);
    }
    // hot path: the agent's team and the latest published version as read at most a second
    // ago (never before this process's last import or publication: hot-read-cache.ts); the
    // published answer itself is immutable and comes serialized from memory
    const [agentTeam, latest] = await Promise.all([this.scopeRepo.agentTeamRecent(agentId), this.kpis.latestRecent(q.period)]);
    await this.scope.assertAgentVisibleWithTeam(user, agentId, agentTeam);
    if (!latest) return this.kpis.forSubject(q.period, 'agent', agentId);
    const json = await this.kpis.publishedJson(q.period, 'agent', agentId, latest);
    res.type('application/json');
    return json;
  }

  /** A team's KPIs (all its descendant teams included). */
  @Get('teams/:team_id/kpis')
  @Roles(...READERS)
  @ApiOkResponse({ type: SubjectKpisDto })
  async team(@Param('team_id') teamId: string, @Query() q: PeriodQueryDto, @CurrentUser() user: Principal): Promise<SubjectKpisDto> {
    await this.scope.assertTeamVisible(user, teamId);
    return this.kpis.forSubject(q.period, 'team', teamId, q.version);
  }

  /** The whole organisation's KPIs (every customer, owned or not). */
  @Get('org/kpis')
  @Roles('admin', 'hr', 'manager')
  @ApiOkResponse({ type: SubjectKpisDto })
  async org(@Query() q: PeriodQueryDto): Promise<SubjectKpisDto> {
    return this.kpis.forSubject(q.period, 'org', null, q.version);
  }

  /**
   * The team lead's review table: the KPIs of every agent whose current team is the team or
   * one of its descendants. `Accept: text/csv` gives one row per agent, one column per KPI value.
   */
  @Get('teams/:team_id/agents/kpis')
  @Roles('admin', 'hr', 'manager', 'team_lead')
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ type: TeamAgentsKpisDto })
  async teamAgents(
    @Param('team_id') teamId: string,
    @Query() q: PeriodQueryDto,
    @CurrentUser() user: Principal,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TeamAgentsKpisDto | string> {
    await this.scope.assertTeamVisible(user, teamId);
    const teams = await this.scopeRepo.teamsWithDescendants([teamId]);
    const table = await this.kpis.forAgentsOfTeams(q.period, teams, q.version);
    if (wantsCsv(accept)) {
      res.type('text/csv; charset=utf-8');
      res.setHeader('content-disposition', `attachment; filename="${teamId.replace(/[^\w.-]/g, '_')}-${q.period}-kpis.csv"`);
      return kpiTableCsv(table.agents);
    }
    return { period: q.period, ...table };
  }

  /** One agent's KPIs month by month (at most 240 months). */
  @Get('agents/:agent_id/kpis/series')
  @Roles(...READERS)
  @ApiOkResponse({ type: SeriesDto })
  async series(@Param('agent_id') agentId: string, @Query() q: SeriesQueryDto, @CurrentUser() user: Principal): Promise<SeriesDto> {
    await this.scope.assertAgentVisible(user, agentId);
    if (comparePeriods(q.from, q.to) > 0) {
      throw new ProblemException(422, 'Unprocessable Content', 'from must not be after to', { errors: [{ field: 'from', value: q.from, reason: 'after to' }] });
    }
    let periods: string[];
    try {
      periods = periodsBetween(q.from, q.to);
    } catch (e) {
      throw new ProblemException(422, 'Unprocessable Content', (e as Error).message, { errors: [{ field: 'to', value: q.to, reason: (e as Error).message }] });
    }
    const points = [];
    let subject = null;
    for (const period of periods) {
      const r = await this.kpis.forSubject(period, 'agent', agentId);
      subject = r.subject;
      points.push({ period, status: r.status, version: r.version, kpis: r.kpis });
    }
    return { subject: subject!, points };
  }
}

function wantsCsv(accept: string | undefined): boolean {
  return !!accept && /\btext\/csv\b/i.test(accept) && !/application\/json/i.test(accept.split(',')[0] ?? '');
}

import { Controller, Get, Headers, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import type { Response } from 'express';
import { ScopeService } from '../access/scope.service';
import { CurrentUser } from '../auth/current-user.decorator';
import type { Principal } from '../auth/principal';
import { Roles } from '../auth/roles.decorator';
import { DrilldownRepository } from '../kpis/drilldown.repository';
import { AtRiskService, atRiskCsv } from './at-risk.service';
import { AtRiskListDto, AtRiskQueryDto } from './retention.dto';

const READERS = ['admin', 'hr', 'manager', 'team_lead', 'agent'] as const;

const DESCRIPTION =
  'Every customer active on as_of and owned by the subject on that day (a team: owners whose current team is the team or a descendant), ' +
  'with its risk level (high: low_p_alive or ≥ 2 signals; medium: one signal), value tier (predictive-CLV rank among the organisation’s ' +
  'active customers; ties at a boundary take the higher tier) and the signals that fired with their numbers (shared/spec/retention.md). ' +
  'Default: levels high and medium. `Accept: text/csv` exports every matching customer (paging ignored).';

function wantsCsv(accept: string | undefined): boolean {
  return !!accept && /\btext\/csv\b/i.test(accept) && !/application\/json/i.test(accept.split(',')[0] ?? '');
}

/** The early-warning lists of an agent and of a team. */
@ApiTags('retention')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'outside the caller’s scope, or an auditor (problem details)' })
@ApiNotFoundResponse({ description: 'unknown agent or team (problem details)' })
@ApiUnprocessableEntityResponse({ description: 'as_of, level, tier, page or page_size invalid (problem details naming the field)' })
@Controller('api/v1')
export class AtRiskController {
  constructor(
    private readonly atRisk: AtRiskService,
    private readonly scope: ScopeService,
    private readonly names: DrilldownRepository,
  ) {}

  @Get('agents/:agent_id/at-risk-customers')
  @Roles(...READERS)
  @ApiOperation({ summary: 'An agent’s customers at risk as of a day', description: DESCRIPTION })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ type: AtRiskListDto })
  async agent(
    @Param('agent_id') agentId: string,
    @Query() q: AtRiskQueryDto,
    @CurrentUser() user: Principal,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<AtRiskListDto | string> {
    await this.scope.assertAgentVisible(user, agentId);
    const name = (await this.names.subjectName('agent', agentId)) ?? null;
    return this.respond({ type: 'agent', id: agentId, name }, q, accept, res);
  }

  @Get('teams/:team_id/at-risk-customers')
  @Roles(...READERS)
  @ApiOperation({ summary: 'A team’s customers at risk as of a day (descendant teams included)', description: DESCRIPTION })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ type: AtRiskListDto })
  async team(
    @Param('team_id') teamId: string,
    @Query() q: AtRiskQueryDto,
    @CurrentUser() user: Principal,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<AtRiskListDto | string> {
    await this.scope.assertTeamVisible(user, teamId);
    const name = (await this.names.subjectName('team', teamId)) ?? null;
    return this.respond({ type: 'team', id: teamId, name }, q, accept, res);
  }

  private async respond(
    subject: { type: 'agent' | 'team'; id: string; name: string | null },
    q: AtRiskQueryDto,
    accept: string | undefined,
    res: Response,
  ): Promise<AtRiskListDto | string> {
    if (wantsCsv(accept)) {
      const all = await this.atRisk.list(subject, q, true);
      res.type('text/csv; charset=utf-8');
      res.setHeader('content-disposition', `attachment; filename="${subject.id.replace(/[^\w.-]/g, '_')}-at-risk-${all.as_of}.csv"`);
      return atRiskCsv(all);
    }
    return this.atRisk.list(subject, q);
  }
}

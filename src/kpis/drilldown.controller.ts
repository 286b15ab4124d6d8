import { Controller, Get, Param, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { ScopeService } from '../access/scope.service';
import { CurrentUser } from '../auth/current-user.decorator';
import type { Principal } from '../auth/principal';
import { Roles } from '../auth/roles.decorator';
import { KPI_KEYS } from './domain/kpi-catalogue';
import { DrilldownPageDto } from './drilldown.dto';
import { DrilldownService } from './drilldown.service';
import { RecordsQueryDto } from './kpi-response.dto';

const READERS = ['admin', 'hr', 'manager', 'team_lead', 'agent'] as const;

const DESCRIPTION =
  'The records behind one KPI value (the customers, orders, tickets, surveys or training rows counted), with the fields ' +
  'the rule used and whether each counts in the numerator. `total` is the number of records across all pages: the ' +
  'denominator of a percentage or mean, the sample size of a sum, count or percentile. Pages are ordered by record id ' +
  '(collate "C"); pass `next_cursor` as `cursor` for the next one. Records are always the current data: for a ' +
  'published period the snapshot holds the numbers and the records are the live data behind them. KPIs whose data ' +
  'arrives with a later capability answer an empty page with a `note`.';

const keyParam = ApiParam({ name: 'key', enum: KPI_KEYS, description: 'a KPI key of kpi-definitions.md (404 naming the valid keys otherwise)' });

/** Drill-down: GET …/kpis/{key}/records for an agent, a team (descendants included) and the organisation. */
@ApiTags('kpis')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'outside the caller’s scope (problem details)' })
@ApiNotFoundResponse({ description: 'unknown agent, team or KPI key (problem details; an unknown key lists the valid ones)' })
@ApiUnprocessableEntityResponse({ description: 'invalid period, limit or cursor (problem details with errors)' })
@Controller('api/v1')
export class DrilldownController {
  constructor(
    private readonly drilldown: DrilldownService,
    private readonly scope: ScopeService,
  ) {}

  @Get('agents/:agent_id/kpis/:key/records')
  @Roles(...READERS)
  @ApiOperation({ summary: 'Records behind an agent’s KPI value', description: DESCRIPTION })
  @keyParam
  @ApiOkResponse({ type: DrilldownPageDto })
  async agent(
    @Param('agent_id') agentId: string,
    @Param('key') key: string,
    @Query() q: RecordsQueryDto,
    @CurrentUser() user: Principal,
  ): Promise<DrilldownPageDto> {
    await this.scope.assertAgentVisible(user, agentId);
    return this.drilldown.records({ subject: { type: 'agent', id: agentId }, key, period: q.period, limit: q.limit, cursor: q.cursor });
  }

  @Get('teams/:team_id/kpis/:key/records')
  @Roles(...READERS)
  @ApiOperation({ summary: 'Records behind a team’s KPI value (descendant teams included)', description: DESCRIPTION })
  @keyParam
  @ApiOkResponse({ type: DrilldownPageDto })
  async team(
    @Param('team_id') teamId: string,
    @Param('key') key: string,
    @Query() q: RecordsQueryDto,
    @CurrentUser() user: Principal,
  ): Promise<DrilldownPageDto> {
    await this.scope.assertTeamVisible(user, teamId);
    return this.drilldown.records({ subject: { type: 'team', id: teamId }, key, period: q.period, limit: q.limit, cursor: q.cursor });
  }

  @Get('org/kpis/:key/records')
  @Roles('admin', 'hr', 'manager')
  @ApiOperation({ summary: 'Records behind the organisation’s KPI value (every customer, owned or not)', description: DESCRIPTION })
  @keyParam
  @ApiOkResponse({ type: DrilldownPageDto })
  async org(@Param('key') key: string, @Query() q: RecordsQueryDto): Promise<DrilldownPageDto> {
    return this.drilldown.records({ subject: { type: 'org', id: null }, key, period: q.period, limit: q.limit, cursor: q.cursor });
  }
}

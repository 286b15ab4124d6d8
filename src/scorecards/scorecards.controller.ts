import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Min } from 'class-validator';
import { ScopeService } from '../access/scope.service';
import { CurrentUser } from '../auth/current-user.decorator';
import type { Principal } from '../auth/principal';
import { Roles } from '../auth/roles.decorator';
import { ParsePeriodPipe } from '../common/period.pipe';
import { SaveTemplateDto, ScorecardDto, TemplateDetailDto, TemplateListDto } from './scorecard.dto';
import { ScorecardsService } from './scorecards.service';
import { TemplatesService } from './templates.service';

class VersionQuery {
  @ApiPropertyOptional({ minimum: 1, description: 'a published version (default: the latest)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  version?: number;
}

@ApiTags('scorecards')
@ApiBearerAuth()
@Controller('api/v1')
export class ScorecardsController {
  constructor(
    private readonly scorecards: ScorecardsService,
    private readonly templates: TemplatesService,
    private readonly scope: ScopeService,
  ) {}

  /** An agent's balanced scorecard: KPI scores, RAG, perspectives, composite, coverage, rank in team. */
  @Get('agents/:agent_id/scorecards/:period')
  @Roles('admin', 'hr', 'manager', 'team_lead', 'agent')
  @ApiOkResponse({ type: ScorecardDto })
  async agent(@Param('agent_id') agentId: string, @Param('period', ParsePeriodPipe) period: string, @Query() q: VersionQuery, @CurrentUser() user: Principal) {
    await this.scope.assertAgentVisible(user, agentId);
    return this.scorecards.forSubject(period, 'agent', agentId, q.version);
  }

  /** A team's scorecard (descendants included) with its direct members' ranking. */
  @Get('teams/:team_id/scorecards/:period')
  @Roles('admin', 'hr', 'manager', 'team_lead', 'agent')
  @ApiOkResponse({ type: ScorecardDto })
  async team(@Param('team_id') teamId: string, @Param('period', ParsePeriodPipe) period: string, @Query() q: VersionQuery, @CurrentUser() user: Principal) {
    await this.scope.assertTeamVisible(user, teamId);
    return this.scorecards.forSubject(period, 'team', teamId, q.version);
  }

  @Get('scorecard-templates')
  @Roles('admin', 'hr', 'manager', 'team_lead', 'agent')
  @ApiOkResponse({ type: TemplateListDto })
  async list() {
    return { templates: await this.templates.list() };
  }

  @Get('scorecard-templates/:id')
  @Roles('admin', 'hr', 'manager', 'team_lead', 'agent')
  @ApiOkResponse({ type: TemplateDetailDto })
  get(@Param('id', ParseIntPipe) id: number) {
    return this.templates.get(id);
  }

  /** Create a template (hr, admin). It takes effect for periods not yet published when it is the default. */
  @Post('scorecard-templates')
  @HttpCode(201)
  @Roles('admin', 'hr')
  @ApiCreatedResponse({ type: TemplateDetailDto })
  create(@Body() body: SaveTemplateDto, @CurrentUser() user: Principal) {
    return this.templates.create({ name: body.name, kpis: body.kpis }, { isDefault: body.is_default ?? false, by: user.email });
  }

  /** Edit a template: adds a version; published periods keep the version they used. */
  @Put('scorecard-templates/:id')
  @Roles('admin', 'hr')
  @ApiOkResponse({ type: TemplateDetailDto })
  update(@Param('id', ParseIntPipe) id: number, @Body() body: SaveTemplateDto, @CurrentUser() user: Principal) {
    return this.templates.update(id, { name: body.name, kpis: body.kpis }, { isDefault: body.is_default, by: user.email });
  }
}

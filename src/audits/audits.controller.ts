import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { CurrentUser } from '../auth/current-user.decorator';
import type { Principal } from '../auth/principal';
import { Roles } from '../auth/roles.decorator';
import { AuditChangeDto, AuditDto, AuditListDto, AuditListQueryDto, AuditLogPageDto, AuditLogQueryDto, ReasonDto, SaveAuditDto } from './audit.dto';
import { AuditsService } from './audits.service';
import { IdPipe } from './id.pipe';

const EVERYONE = ['admin', 'hr', 'manager', 'team_lead', 'auditor', 'agent'] as const;
const AUTHORS = ['auditor', 'admin'] as const;

const VALIDATION =
  'problem details whose `errors` name every problem: unknown or retired form version (`form_id`, `form_version`), unknown agent or an agent who ' +
  'left before the visit (`agent_id`), `visited_at` in the future or before the agent was hired, a criterion missing (`answers`, naming it), ' +
  'answered twice or unknown (`answers[i].criterion_id`), a value outside its type or N/A where not allowed (`answers[i].value`)';

/**
 * Mystery-shopper audits: auditors create, edit (drafts) and finalise their own; hr and
 * managers read everything and void; team leads read their teams' final audits; agents
 * their own final audits. The audit log is for hr and admins.
 */
@ApiTags('audits')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'role not allowed, or the audit is outside your scope (problem details)' })
@Controller('api/v1')
export class AuditsController {
  constructor(private readonly audits: AuditsService) {}

  @Post('audits')
  @HttpCode(201)
  @Roles(...AUTHORS)
  @ApiOperation({ summary: 'Create an audit (a draft, scored at once)', description: 'Every criterion of the form version exactly once. The caller is the auditor.' })
  @ApiCreatedResponse({ type: AuditDto })
  @ApiUnprocessableEntityResponse({ description: VALIDATION })
  create(@Body() body: SaveAuditDto, @CurrentUser() user: Principal): Promise<AuditDto> {
    return this.audits.create(user, body);
  }

  @Get('audits')
  @Roles(...EVERYONE)
  @ApiOperation({ summary: 'Audits the caller may read, newest first', description: 'auditors: their own; agents: their own final audits; team leads: their teams’ final audits; hr, managers, admins: all.' })
  @ApiOkResponse({ type: AuditListDto })
  list(@Query() q: AuditListQueryDto, @CurrentUser() user: Principal): Promise<AuditListDto> {
    return this.audits.list(user, q);
  }

  @Get('audits/:audit_id')
  @Roles(...EVERYONE)
  @ApiOperation({ summary: 'An audit with its answers, score, auto-fail items, dispute and score history' })
  @ApiOkResponse({ type: AuditDto })
  @ApiNotFoundResponse({ description: 'unknown audit' })
  get(@Param('audit_id', IdPipe) id: number, @CurrentUser() user: Principal): Promise<AuditDto> {
    return this.audits.get(user, id);
  }

  @Put('audits/:audit_id')
  @Roles(...AUTHORS)
  @ApiOperation({ summary: 'Edit a draft audit (its author): replaces its content and re-scores it' })
  @ApiOkResponse({ type: AuditDto })
  @ApiConflictResponse({ description: 'the audit is final or voided' })
  @ApiUnprocessableEntityResponse({ description: VALIDATION })
  update(@Param('audit_id', IdPipe) id: number, @Body() body: SaveAuditDto, @CurrentUser() user: Principal): Promise<AuditDto> {
    return this.audits.update(user, id, body);
  }

  @Post('audits/:audit_id/finalize')
  @HttpCode(200)
  @Roles(...AUTHORS)
  @ApiOperation({ summary: 'Finalise a draft audit (its author): it counts from now on and the agent can dispute it' })
  @ApiOkResponse({ type: AuditDto })
  @ApiConflictResponse({ description: 'not a draft' })
  @ApiUnprocessableEntityResponse({ description: 'every criterion is N/A: nothing to score' })
  finalize(@Param('audit_id', IdPipe) id: number, @CurrentUser() user: Principal): Promise<AuditDto> {
    return this.audits.finalize(user, id);
  }

  @Post('audits/:audit_id/void')
  @HttpCode(200)
  @Roles('admin', 'hr', 'manager', 'auditor')
  @ApiOperation({
    summary: 'Void an audit',
    description:
      'hr, managers and admins: any draft or final audit without an open dispute (resolve the dispute instead); an auditor: their own draft. ' +
      'Voiding a final audit of a published period publishes the period again (new snapshot version) with the reason.',
  })
  @ApiOkResponse({ type: AuditChangeDto })
  @ApiConflictResponse({ description: 'already voided, or an open dispute' })
  void(@Param('audit_id', IdPipe) id: number, @Body() body: ReasonDto, @CurrentUser() user: Principal): Promise<AuditChangeDto> {
    return this.audits.void(user, id, body.reason);
  }

  @Get('audits/:audit_id/log')
  @Roles('admin', 'hr')
  @ApiOperation({ summary: 'The audit log of one audit and its dispute (who, when, action, before, after), oldest first' })
  @ApiOkResponse({ type: AuditLogPageDto })
  @ApiNotFoundResponse({ description: 'unknown audit' })
  log(@Param('audit_id', IdPipe) id: number): Promise<AuditLogPageDto> {
    return this.audits.logOf(id);
  }

  @Get('audit-log')
  @Roles('admin', 'hr')
  @ApiOperation({ summary: 'The evaluation audit log (forms, audits, disputes, calibration), newest first' })
  @ApiOkResponse({ type: AuditLogPageDto })
  logPage(@Query() q: AuditLogQueryDto): Promise<AuditLogPageDto> {
    return this.audits.logPage(q);
  }
}

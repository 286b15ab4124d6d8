import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
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
import { CreateDisputeDto, DisputeDto, DisputeListDto, DisputeListQueryDto, ResolveDisputeDto, ResolveResultDto } from './audit.dto';
import { DisputesService } from './disputes.service';
import { IdPipe } from './id.pipe';

const EVERYONE = ['admin', 'hr', 'manager', 'team_lead', 'auditor', 'agent'] as const;

/** Disputes: the audited agent disputes a final audit once; hr or a manager resolves it. */
@ApiTags('audits')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'role not allowed, or outside your scope (problem details)' })
@Controller('api/v1')
export class DisputesController {
  constructor(private readonly disputes: DisputesService) {}

  @Post('audits/:audit_id/disputes')
  @HttpCode(201)
  @Roles('agent')
  @ApiOperation({ summary: 'Dispute a final audit (the audited agent, once, with a reason); the audit still counts, marked disputed' })
  @ApiCreatedResponse({ type: DisputeDto })
  @ApiConflictResponse({ description: 'already disputed once, or the audit is not final' })
  open(@Param('audit_id', IdPipe) auditId: number, @Body() body: CreateDisputeDto, @CurrentUser() user: Principal): Promise<DisputeDto> {
    return this.disputes.open(user, auditId, body.reason);
  }

  @Get('audits/:audit_id/disputes')
  @Roles(...EVERYONE)
  @ApiOperation({ summary: 'The dispute of an audit (zero or one)' })
  @ApiOkResponse({ type: DisputeListDto })
  @ApiNotFoundResponse({ description: 'unknown audit' })
  ofAudit(@Param('audit_id', IdPipe) auditId: number, @CurrentUser() user: Principal): Promise<DisputeListDto> {
    return this.disputes.ofAudit(user, auditId);
  }

  @Get('disputes')
  @Roles(...EVERYONE)
  @ApiOperation({ summary: 'Disputes of the audits the caller may read, newest first' })
  @ApiOkResponse({ type: DisputeListDto })
  list(@Query() q: DisputeListQueryDto, @CurrentUser() user: Principal): Promise<DisputeListDto> {
    return this.disputes.list(user, q);
  }

  @Get('disputes/:dispute_id')
  @Roles(...EVERYONE)
  @ApiOkResponse({ type: DisputeDto })
  @ApiNotFoundResponse({ description: 'unknown dispute' })
  get(@Param('dispute_id', IdPipe) id: number, @CurrentUser() user: Principal): Promise<DisputeDto> {
    return this.disputes.get(user, id);
  }

  @Post('disputes/:dispute_id/resolve')
  @HttpCode(200)
  @Roles('admin', 'hr', 'manager')
  @ApiOperation({
    summary: 'Resolve a dispute: upheld (void, or rescore with corrected answers) or rejected',
    description:
      'The old score stays in the dispute, the audit log and the audit’s history. When an upheld dispute changes a published period, the period is ' +
      'published again (snapshot version n+1) with the reason "dispute <id> upheld: …".',
  })
  @ApiOkResponse({ type: ResolveResultDto })
  @ApiConflictResponse({ description: 'already resolved' })
  @ApiUnprocessableEntityResponse({ description: 'missing action or answers, or invalid corrected answers (each named)' })
  resolve(@Param('dispute_id', IdPipe) id: number, @Body() body: ResolveDisputeDto, @CurrentUser() user: Principal): Promise<ResolveResultDto> {
    return this.disputes.resolve(user, id, body);
  }
}

import { Body, Controller, Get, HttpCode, Param, Post, Put, Res, type PipeTransform } from '@nestjs/common';
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
import type { Response } from 'express';
import { CurrentUser } from '../auth/current-user.decorator';
import type { Principal } from '../auth/principal';
import { Roles } from '../auth/roles.decorator';
import { notFound } from '../common/problem-details';
import {
  CreateCycleDto,
  CycleDetailDto,
  CycleListDto,
  OwnResponseDto,
  ResponsesDto,
  ResultsDto,
  SaveResponseDto,
  SubmitResponseDto,
} from './feedback.dto';
import { FeedbackService } from './feedback.service';

/** A cycle id: a positive 32-bit integer, else the cycle does not exist (404). */
class CycleIdPipe implements PipeTransform<string, number> {
  transform(value: string): number {
    const n = /^\d{1,10}$/.test(value) ? Number(value) : NaN;
    if (!(n >= 1 && n <= 2147483647)) throw notFound('feedback cycle', value);
    return n;
  }
}

/** Everyone who may take part in 360 feedback (auditors take no part: "nothing else"). */
const PARTICIPANTS = ['admin', 'hr', 'manager', 'team_lead', 'agent'] as const;

const ANONYMITY =
  'Anonymity: responses of anonymous groups (peer, direct_report, customer) are never returned per rater — to nobody, admins included. ' +
  'A rater reads back only their own response; overseers see counts only.';

@ApiTags('feedback')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'role not allowed, or outside the caller’s scope (problem details)' })
@ApiNotFoundResponse({ description: 'unknown cycle, agent or own response (problem details)' })
@Controller('api/v1/feedback-cycles')
export class FeedbackController {
  constructor(private readonly feedback: FeedbackService) {}

  @Post()
  @HttpCode(201)
  @Roles('admin', 'hr', 'manager')
  @ApiOperation({
    summary: 'Create a 360 cycle (hr, manager, admin)',
    description:
      'Subjects (agents), competencies with 1–5 questions, open and close dates (local dates, inclusive), and rater assignments per ' +
      'subject in groups self, manager, peer, direct_report, customer. Raters are users (by rater_user_id, rater_email, or ' +
      'rater_agent_id = the user linked to that agent; self defaults to the subject’s own user). A cycle is not edited afterwards.',
  })
  @ApiCreatedResponse({ type: CycleDetailDto })
  @ApiUnprocessableEntityResponse({ description: 'each problem named with its field (problem details with errors)' })
  async create(@Body() body: CreateCycleDto, @CurrentUser() user: Principal): Promise<CycleDetailDto> {
    const id = await this.feedback.createCycle(body, user);
    return this.feedback.getCycle(id, user);
  }

  @Get()
  @Roles(...PARTICIPANTS)
  @ApiOperation({ summary: 'The cycles the caller manages, rates in, or whose subjects they see (with their own pending requests)' })
  @ApiOkResponse({ type: CycleListDto })
  list(@CurrentUser() user: Principal): Promise<CycleListDto> {
    return this.feedback.listCycles(user);
  }

  @Get(':id')
  @Roles(...PARTICIPANTS)
  @ApiOperation({ summary: 'A cycle’s definition, with the caller’s own rater assignments' })
  @ApiOkResponse({ type: CycleDetailDto })
  get(@Param('id', CycleIdPipe) id: number, @CurrentUser() user: Principal): Promise<CycleDetailDto> {
    return this.feedback.getCycle(id, user);
  }

  @Get(':id/responses')
  @Roles(...PARTICIPANTS)
  @ApiOperation({
    summary: 'The caller’s own requests and, for overseers, completion counts per subject and group',
    description: `${ANONYMITY} Completion says how many raters of each group responded, never which ones, and carries no times.`,
  })
  @ApiOkResponse({ type: ResponsesDto })
  responses(@Param('id', CycleIdPipe) id: number, @CurrentUser() user: Principal): Promise<ResponsesDto> {
    return this.feedback.responses(id, user);
  }

  @Post(':id/responses')
  @Roles(...PARTICIPANTS)
  @ApiOperation({
    summary: 'Answer (or change) the caller’s own response on one subject while the cycle is open',
    description: `Only the assigned rater; one response per rater and subject: a second POST replaces the first (200). ${ANONYMITY}`,
  })
  @ApiCreatedResponse({ type: OwnResponseDto, description: 'created' })
  @ApiOkResponse({ type: OwnResponseDto, description: 'replaced' })
  @ApiConflictResponse({ description: 'the cycle is not open (not yet, or closed)' })
  @ApiUnprocessableEntityResponse({ description: 'a question missing or answered twice, an unknown question or competency, a rating outside 1–5' })
  async submit(
    @Param('id', CycleIdPipe) id: number,
    @Body() body: SubmitResponseDto,
    @CurrentUser() user: Principal,
    @Res({ passthrough: true }) res: Response,
  ): Promise<OwnResponseDto> {
    const { subject_agent_id, ...rest } = body;
    const { created, response } = await this.feedback.saveResponse(id, subject_agent_id, rest, user);
    res.status(created ? 201 : 200);
    return response;
  }

  @Put(':id/responses/:subject_agent_id')
  @Roles(...PARTICIPANTS)
  @ApiOperation({ summary: 'Create or replace the caller’s own response on one subject while the cycle is open', description: ANONYMITY })
  @ApiOkResponse({ type: OwnResponseDto, description: 'replaced' })
  @ApiCreatedResponse({ type: OwnResponseDto, description: 'created' })
  @ApiConflictResponse({ description: 'the cycle is not open (not yet, or closed)' })
  @ApiUnprocessableEntityResponse({ description: 'a question missing or answered twice, an unknown question or competency, a rating outside 1–5' })
  async save(
    @Param('id', CycleIdPipe) id: number,
    @Param('subject_agent_id') subjectAgentId: string,
    @Body() body: SaveResponseDto,
    @CurrentUser() user: Principal,
    @Res({ passthrough: true }) res: Response,
  ): Promise<OwnResponseDto> {
    const { created, response } = await this.feedback.saveResponse(id, subjectAgentId, body, user);
    res.status(created ? 201 : 200);
    return response;
  }

  @Get(':id/responses/:subject_agent_id')
  @Roles(...PARTICIPANTS)
  @ApiOperation({ summary: 'The caller’s own response on one subject (there is no way to read anyone else’s)', description: ANONYMITY })
  @ApiOkResponse({ type: OwnResponseDto })
  own(@Param('id', CycleIdPipe) id: number, @Param('subject_agent_id') subjectAgentId: string, @CurrentUser() user: Principal): Promise<OwnResponseDto> {
    return this.feedback.ownResponse(id, subjectAgentId, user);
  }

  @Get(':id/results/:agent_id')
  @Roles(...PARTICIPANTS)
  @ApiOperation({
    summary: 'A subject’s results once the cycle has closed (hr, manager, admin: all; team lead: their teams’ agents; agent: themselves)',
    description:
      'Per competency and rater group: mean and number of raters; the self-vs-others gap; feedback_360_score. Anonymous groups ' +
      '(peer, direct_report, customer) below FEEDBACK_MIN_RATERS raters are folded into "others" when that reaches the threshold, ' +
      'else hidden; their comments likewise. self and manager are shown as they are. Comments carry no rater and no time and are ' +
      'ordered by group, competency and text. 409 while the cycle is open: results exist only for closed cycles, whose responses ' +
      'can no longer change.',
  })
  @ApiOkResponse({ type: ResultsDto })
  @ApiConflictResponse({ description: 'the cycle has not closed yet' })
  results(@Param('id', CycleIdPipe) id: number, @Param('agent_id') agentId: string, @CurrentUser() user: Principal): Promise<ResultsDto> {
    return this.feedback.results(id, agentId, user);
  }
}

import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiCreatedResponse, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { CurrentUser } from '../auth/current-user.decorator';
import type { Principal } from '../auth/principal';
import { Roles } from '../auth/roles.decorator';
import {
  CalibrationReportDto,
  CalibrationReportQueryDto,
  CalibrationScoringDto,
  CalibrationSessionDto,
  CalibrationSessionListDto,
  CalibrationSummaryDto,
  CreateCalibrationSessionDto,
} from './calibration.dto';
import { CalibrationService } from './calibration.service';
import { IdPipe } from './id.pipe';

const ORGANISERS = ['admin', 'hr', 'manager'] as const;

/** Calibration: several auditors score the same recorded interaction; the report shows spread and leniency. */
@ApiTags('audits')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'role not allowed (problem details)' })
@Controller('api/v1')
export class CalibrationController {
  constructor(private readonly calibration: CalibrationService) {}

  @Post('calibration-sessions')
  @HttpCode(201)
  @Roles(...ORGANISERS)
  @ApiOperation({ summary: 'Open a calibration session on one recorded interaction and an active form version' })
  @ApiCreatedResponse({ type: CalibrationSessionDto })
  @ApiUnprocessableEntityResponse({ description: 'unknown or retired form version, unknown agent' })
  create(@Body() body: CreateCalibrationSessionDto, @CurrentUser() user: Principal): Promise<CalibrationSessionDto> {
    return this.calibration.create(user, body);
  }

  @Get('calibration-sessions')
  @Roles(...ORGANISERS, 'auditor')
  @ApiOperation({ summary: 'Calibration sessions, newest first (auditors see their own scoring in my_scoring)' })
  @ApiOkResponse({ type: CalibrationSessionListDto })
  list(@CurrentUser() user: Principal): Promise<CalibrationSessionListDto> {
    return this.calibration.list(user);
  }

  @Get('calibration-sessions/:session_id')
  @Roles(...ORGANISERS, 'auditor')
  @ApiOkResponse({ type: CalibrationSessionDto })
  @ApiNotFoundResponse({ description: 'unknown session' })
  get(@Param('session_id', IdPipe) id: number, @CurrentUser() user: Principal): Promise<CalibrationSessionDto> {
    return this.calibration.get(user, id);
  }

  @Put('calibration-sessions/:session_id/scores')
  @Roles('auditor')
  @ApiOperation({ summary: 'Give (or replace) the caller’s scoring while the session is open', description: 'Every criterion of the session’s form exactly once, like an audit.' })
  @ApiOkResponse({ type: CalibrationSessionDto })
  @ApiConflictResponse({ description: 'the session is closed' })
  @ApiUnprocessableEntityResponse({ description: 'answers invalid (each named)' })
  score(@Param('session_id', IdPipe) id: number, @Body() body: CalibrationScoringDto, @CurrentUser() user: Principal): Promise<CalibrationSessionDto> {
    return this.calibration.score(user, id, body.answers);
  }

  @Post('calibration-sessions/:session_id/close')
  @HttpCode(200)
  @Roles(...ORGANISERS)
  @ApiOkResponse({ type: CalibrationSessionDto })
  @ApiConflictResponse({ description: 'already closed' })
  close(@Param('session_id', IdPipe) id: number, @CurrentUser() user: Principal): Promise<CalibrationSessionDto> {
    return this.calibration.close(user, id);
  }

  @Get('calibration-sessions/:session_id/report')
  @Roles(...ORGANISERS)
  @ApiOperation({
    summary: 'Spread per criterion and deviation per auditor',
    description:
      'yes_no: agreement_rate (share giving the most common answer, N/A a category) and pairwise_agreement; scale: mean and population sd; ' +
      'per auditor: mean signed deviation of their points (0–100) from the group mean per criterion — positive means lenient.',
  })
  @ApiOkResponse({ type: CalibrationReportDto })
  report(@Param('session_id', IdPipe) id: number): Promise<CalibrationReportDto> {
    return this.calibration.report(id);
  }

  @Get('calibration-report')
  @Roles(...ORGANISERS)
  @ApiOperation({ summary: 'Per auditor across sessions: mean deviation from the group (leniency) and mean score deviation' })
  @ApiOkResponse({ type: CalibrationSummaryDto })
  summary(@Query() q: CalibrationReportQueryDto): Promise<CalibrationSummaryDto> {
    return this.calibration.summary(q.form_id);
  }
}

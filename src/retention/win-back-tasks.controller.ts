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
import { IdPipe } from '../audits/id.pipe';
import { CurrentUser } from '../auth/current-user.decorator';
import type { Principal } from '../auth/principal';
import { Roles } from '../auth/roles.decorator';
import { CloseTaskDto, ContactDto, ContactViewDto, OpenTaskDto, TaskListDto, TaskListQueryDto, WinBackTaskDto } from './win-back-task.dto';
import { WinBackTasksService } from './win-back-tasks.service';

const WORKERS = ['admin', 'hr', 'manager', 'team_lead', 'agent'] as const;
const OPENERS = ['admin', 'hr', 'manager', 'team_lead'] as const;

/**
 * Win-back tasks: the weekly job opens them for high-risk key and major customers; managers,
 * team leads, hr and admins open them by hand; the agent records contact attempts and closes
 * each with an outcome. Agents see their own tasks, team leads their teams', hr, managers and
 * admins all; auditors none.
 */
@ApiTags('retention')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'role not allowed, or the task, agent, team or customer is outside your scope (problem details)' })
@Controller('api/v1/win-back-tasks')
export class WinBackTasksController {
  constructor(private readonly tasks: WinBackTasksService) {}

  @Get()
  @Roles(...WORKERS)
  @ApiOperation({ summary: 'Win-back tasks in the caller’s scope, newest first', description: 'Filters: status, confirmation, agent_id, team_id (descendants included), customer_id.' })
  @ApiOkResponse({ type: TaskListDto })
  list(@Query() q: TaskListQueryDto, @CurrentUser() user: Principal): Promise<TaskListDto> {
    return this.tasks.list(user, q);
  }

  @Post()
  @HttpCode(201)
  @Roles(...OPENERS)
  @ApiOperation({ summary: 'Open a win-back task by hand for a customer in your scope', description: 'Assigned to the customer’s owner today unless agent_id is given; due in 14 days unless due_on is given.' })
  @ApiCreatedResponse({ type: WinBackTaskDto })
  @ApiNotFoundResponse({ description: 'unknown customer' })
  @ApiConflictResponse({ description: 'the customer has an open task' })
  @ApiUnprocessableEntityResponse({ description: 'problem details naming the field (agent_id, due_on, …)' })
  open(@Body() body: OpenTaskDto, @CurrentUser() user: Principal): Promise<WinBackTaskDto> {
    return this.tasks.open(user, body);
  }

  @Get(':task_id')
  @Roles(...WORKERS)
  @ApiOperation({ summary: 'A task with its contact attempts and confirmation status' })
  @ApiOkResponse({ type: WinBackTaskDto })
  @ApiNotFoundResponse({ description: 'unknown task' })
  get(@Param('task_id', IdPipe) id: number, @CurrentUser() user: Principal): Promise<WinBackTaskDto> {
    return this.tasks.get(user, id);
  }

  @Post(':task_id/contacts')
  @HttpCode(201)
  @Roles(...WORKERS)
  @ApiOperation({ summary: 'Record a contact attempt (channel, time, note) on an open task' })
  @ApiCreatedResponse({ type: ContactViewDto })
  @ApiNotFoundResponse({ description: 'unknown task' })
  @ApiConflictResponse({ description: 'the task is closed' })
  @ApiUnprocessableEntityResponse({ description: 'channel or at invalid (at: ISO 8601 with an offset, not before the task was opened, not in the future)' })
  contact(@Param('task_id', IdPipe) id: number, @Body() body: ContactDto, @CurrentUser() user: Principal): Promise<ContactViewDto> {
    return this.tasks.addContact(user, id, body);
  }

  @Post(':task_id/close')
  @HttpCode(200)
  @Roles(...WORKERS)
  @ApiOperation({
    summary: 'Close a task with its outcome',
    description:
      'outcome retained | lost | not_pursued; when lost, churn_reason (a complaint category: core_service_failure, service_encounter, pricing, inconvenience, ' +
      'failure_response, other) and controllable (boolean). The confirmation is Yardstick’s own: a completed order dated in the window, whatever the outcome.',
  })
  @ApiOkResponse({ type: WinBackTaskDto })
  @ApiNotFoundResponse({ description: 'unknown task' })
  @ApiConflictResponse({ description: 'the task is closed already' })
  @ApiUnprocessableEntityResponse({ description: 'problem details naming outcome, churn_reason, controllable or note' })
  close(@Param('task_id', IdPipe) id: number, @Body() body: CloseTaskDto, @CurrentUser() user: Principal): Promise<WinBackTaskDto> {
    return this.tasks.close(user, id, body);
  }
}

import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { IdPipe } from '../audits/id.pipe';
import { CurrentUser } from '../auth/current-user.decorator';
import type { Principal } from '../auth/principal';
import { CreateSubscriptionDto, SubscriptionDto, SubscriptionListDto, SubscriptionQueryDto } from './subscription.dto';
import { SubscriptionsService } from './subscriptions.service';

/** Who gets which monthly PDF scorecards by e-mail. */
@ApiTags('delivery')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'outside the caller’s (or the subscriber’s) access; problem details name the field' })
@Controller('api/v1/subscriptions')
export class SubscriptionsController {
  constructor(private readonly subscriptions: SubscriptionsService) {}

  @Get()
  @ApiOperation({ summary: 'Subscriptions: the caller’s own; hr and admin see everyone’s (filter with user_id)' })
  @ApiOkResponse({ type: SubscriptionListDto })
  async list(@Query() q: SubscriptionQueryDto, @CurrentUser() user: Principal): Promise<SubscriptionListDto> {
    return { subscriptions: await this.subscriptions.list(user, q.user_id) };
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Subscribe a user to the monthly PDF scorecards by e-mail',
    description:
      'scope org (hr, manager, admin), team with team_id (that team and all its descendants, with their agents; a team lead only teams they lead), ' +
      'or self (the user’s own agent; needs a user linked to an agent). Users subscribe themselves; hr and admin may subscribe anyone. ' +
      'Each run mails every subscriber once, with exactly the PDFs of their subscriptions that they may read at that time.',
  })
  @ApiCreatedResponse({ type: SubscriptionDto })
  @ApiUnprocessableEntityResponse({ description: 'invalid body, unknown user or team, team_id missing or superfluous, self without an agent' })
  @ApiConflictResponse({ description: 'the user already has this subscription' })
  create(@Body() body: CreateSubscriptionDto, @CurrentUser() user: Principal): Promise<SubscriptionDto> {
    return this.subscriptions.create(user, { userId: body.user_id, scope: body.scope, teamId: body.team_id ?? null });
  }

  @Delete(':subscription_id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Unsubscribe (own subscriptions; hr and admin anyone’s)' })
  @ApiNoContentResponse({ description: 'deleted' })
  @ApiNotFoundResponse({ description: 'unknown subscription' })
  async remove(@Param('subscription_id', IdPipe) id: number, @CurrentUser() user: Principal): Promise<void> {
    await this.subscriptions.delete(user, id);
  }
}

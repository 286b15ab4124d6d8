import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IdPipe } from '../audits/id.pipe';
import { Roles } from '../auth/roles.decorator';
import { RunDeliveriesDto } from './delivery.dto';
import { DeliveryService } from './delivery.service';

/** The e-mail delivery of a run, per recipient. */
@ApiTags('delivery')
@ApiBearerAuth()
@Controller('api/v1/runs')
export class DeliveriesController {
  constructor(private readonly deliveries: DeliveryService) {}

  @Get(':run_id/deliveries')
  @Roles('admin', 'hr', 'manager')
  @ApiOperation({
    summary: 'Per-recipient delivery status of a run',
    description: 'One entry per recipient: status (pending, sent, failed, skipped), attempts with their errors, the next attempt, the reports attached.',
  })
  @ApiOkResponse({ type: RunDeliveriesDto })
  @ApiForbiddenResponse({ description: 'role not allowed' })
  @ApiNotFoundResponse({ description: 'unknown run' })
  status(@Param('run_id', IdPipe) runId: number): Promise<RunDeliveriesDto> {
    return this.deliveries.runDeliveries(runId);
  }
}

import { Controller, Get, Param, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { ScopeService } from '../access/scope.service';
import { CurrentUser } from '../auth/current-user.decorator';
import type { Principal } from '../auth/principal';
import { Roles } from '../auth/roles.decorator';
import { AsOfQueryDto, CustomerValueDto, CustomerValueModelDto } from './customer-value.dto';
import { CustomerValueService, type CustomerValue, type CustomerValueModel } from './customer-value.service';

/** The predictive customer-value models and one customer's predictions (shared/spec/api.md). */
@ApiTags('predictive')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'role not allowed, or the customer is outside the caller’s scope (problem details)' })
@ApiUnprocessableEntityResponse({ description: 'as_of missing or not a calendar day YYYY-MM-DD (problem details naming the field)' })
@Controller('api/v1')
export class CustomerValueController {
  constructor(
    private readonly values: CustomerValueService,
    private readonly scope: ScopeService,
  ) {}

  @Get('models/customer-value')
  @Roles('admin', 'hr', 'manager')
  @ApiOperation({
    summary: 'The BG/NBD and Gamma-Gamma fits with calibration end as_of',
    description:
      'Fits (or returns the cached fit of) both models over every customer with a completed order dated on or before as_of. ' +
      'Fits are cached per as_of and data version: any import fits again. With fewer than 50 repeat customers the models are ' +
      'not fitted: status insufficient_data, the reason, and null parameters.',
  })
  @ApiOkResponse({ type: CustomerValueModelDto })
  async model(@Query() q: AsOfQueryDto): Promise<CustomerValueModelDto> {
    return modelDto(await this.values.model(q.as_of));
  }

  @Get('customers/:customer_id/value')
  @Roles('admin', 'hr', 'manager', 'team_lead', 'agent')
  @ApiOperation({
    summary: 'One customer’s P(alive), expected purchases, expected spend and predictive CLV as of as_of',
    description:
      'hr, managers and admins see every customer; a team lead the customers owned on as_of by an agent of their teams; an ' +
      'agent their own customers. A customer without a completed order dated on or before as_of gets nulls and the reason.',
  })
  @ApiOkResponse({ type: CustomerValueDto })
  @ApiNotFoundResponse({ description: 'unknown customer (problem details)' })
  async customer(@Param('customer_id') customerId: string, @Query() q: AsOfQueryDto, @CurrentUser() user: Principal): Promise<CustomerValueDto> {
    await this.scope.assertCustomerVisible(user, customerId, q.as_of);
    return customerDto(await this.values.customerValue(customerId, q.as_of));
  }
}

export function modelDto(m: CustomerValueModel): CustomerValueModelDto {
  return {
    as_of: m.asOf,
    status: m.status,
    reason: m.reason,
    customers: m.customers,
    repeat_customers: m.repeatCustomers,
    bgnbd: m.bgnbd
      ? {
          r: m.bgnbd.r,
          alpha: m.bgnbd.alpha,
          a: m.bgnbd.a,
          b: m.bgnbd.b,
          log_likelihood: m.bgnbd.logLikelihood,
          converged: m.bgnbd.converged,
          message: m.bgnbd.message,
          boundary: m.bgnbd.boundary,
          rows: m.bgnbd.rows,
        }
      : null,
    gamma_gamma: m.gg
      ? {
          p: m.gg.p,
          q: m.gg.q,
          gamma: m.gg.gamma,
          log_likelihood: m.gg.logLikelihood,
          converged: m.gg.converged,
          message: m.gg.message,
          boundary: m.gg.boundary,
          customers: m.gg.customers,
        }
      : null,
    data_version: m.dataVersion,
    fitted_at: m.fittedAt,
  };
}

export function customerDto(v: CustomerValue): CustomerValueDto {
  return {
    customer_id: v.customerId,
    as_of: v.asOf,
    status: v.status,
    reason: v.reason,
    x: v.x,
    t_x: v.tx,
    T: v.T,
    m_x: v.mx,
    margin_rate: v.marginRate,
    first_purchase_on: v.firstPurchaseOn,
    last_purchase_on: v.lastPurchaseOn,
    p_alive: v.pAlive,
    expected_purchases: { weeks_13: v.expectedPurchases.weeks13, weeks_26: v.expectedPurchases.weeks26, weeks_52: v.expectedPurchases.weeks52 },
    expected_avg_value: v.expectedAvgValue,
    clv: v.clv,
  };
}

import { Module } from '@nestjs/common';
import { KpisModule } from '../kpis/kpis.module';
import { CustomerValueController } from './customer-value.controller';
import { CustomerValueKpis } from './customer-value.kpis';
import { CustomerValueRepository } from './customer-value.repository';
import { CustomerValueService } from './customer-value.service';

/**
 * Predictive customer value: the BG/NBD and Gamma-Gamma models fitted in SQL-summarised data
 * (GET /api/v1/models/customer-value, GET /api/v1/customers/{id}/value), and the KPIs
 * clv_predicted_avg and at_risk_customers with their drill-down, registered with the KPI engine
 * when the module starts.
 */
@Module({
  imports: [KpisModule],
  controllers: [CustomerValueController],
  providers: [CustomerValueRepository, CustomerValueService, CustomerValueKpis],
  exports: [CustomerValueService],
})
export class PredictiveModule {}

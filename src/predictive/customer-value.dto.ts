import { ApiProperty } from '@nestjs/swagger';
import { ValidateBy, type ValidationOptions } from 'class-validator';
import { isLocalDate } from '../periods/domain/period';

/** A calendar day YYYY-MM-DD (422 naming the field otherwise). */
function IsLocalDate(opts?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isLocalDate',
      validator: {
        validate: (v: unknown) => isLocalDate(v),
        defaultMessage: () => 'must be a calendar day YYYY-MM-DD',
      },
    },
    opts,
  );
}

export class AsOfQueryDto {
  @ApiProperty({
    example: '2026-10-31',
    description:
      'the calibration end day e (a local date in ORG_TIMEZONE): completed orders dated on or before it are the history; ' +
      'predictions run from the end of that day',
  })
  @IsLocalDate()
  as_of!: string;
}

// ---------------------------------------------------------------------------------------------
// GET /api/v1/models/customer-value

export class BgnbdFitDto {
  @ApiProperty({ description: 'shape of the Gamma distribution of purchase rates λ (per week)', example: 0.243 }) r!: number;
  @ApiProperty({ description: 'scale (rate parameter) of that Gamma distribution, in weeks', example: 4.414 }) alpha!: number;
  @ApiProperty({ description: 'Beta(a, b) of the probability p of dropping out after a purchase: a', example: 0.793 }) a!: number;
  @ApiProperty({ description: 'Beta(a, b): b', example: 2.426 }) b!: number;
  @ApiProperty({ description: 'maximised log-likelihood (the paper’s equation 6, summed over customers)', example: -9582.4 }) log_likelihood!: number;
  @ApiProperty({ description: 'false when the optimiser did not certify a maximum, or the maximum lies on the boundary of the parameter space' })
  converged!: boolean;
  @ApiProperty({ description: 'what the optimiser reported' }) message!: string;
  @ApiProperty({ type: [String], description: 'parameters whose estimate ran to the boundary (0 or ∞); predictions stay defined' })
  boundary!: string[];
  @ApiProperty({ description: 'distinct (x, t_x, T) rows the likelihood ran over' }) rows!: number;
}

export class GammaGammaFitDto {
  @ApiProperty({ description: 'shape of the Gamma distribution of a purchase’s value around the customer’s mean', example: 6.25 }) p!: number;
  @ApiProperty({ description: 'shape of the Gamma distribution of customers’ spend parameter', example: 3.74 }) q!: number;
  @ApiProperty({ description: 'scale of that distribution', example: 15.44 }) gamma!: number;
  @ApiProperty({ description: 'maximised log-likelihood over the repeat customers with a positive repeat spend' }) log_likelihood!: number;
  @ApiProperty() converged!: boolean;
  @ApiProperty() message!: string;
  @ApiProperty({ type: [String] }) boundary!: string[];
  @ApiProperty({ description: 'customers the spend model was fitted over (x > 0 and m_x > 0)', example: 946 }) customers!: number;
}

export class CustomerValueModelDto {
  @ApiProperty({ example: '1997-09-30' }) as_of!: string;
  @ApiProperty({ enum: ['fitted', 'insufficient_data'], description: 'insufficient_data: the models are not fitted (see reason) and every prediction is null' })
  status!: 'fitted' | 'insufficient_data';
  @ApiProperty({ nullable: true, type: String, description: 'why the models are not fitted, e.g. "fewer than 50 repeat customers (12) as of …"' })
  reason!: string | null;
  @ApiProperty({ description: 'customers with a completed order dated on or before as_of (the BG/NBD sample)', example: 2357 }) customers!: number;
  @ApiProperty({ description: 'of them, customers with x > 0 (a purchase day after their first)', example: 946 }) repeat_customers!: number;
  @ApiProperty({ type: BgnbdFitDto, nullable: true }) bgnbd!: BgnbdFitDto | null;
  @ApiProperty({ type: GammaGammaFitDto, nullable: true }) gamma_gamma!: GammaGammaFitDto | null;
  @ApiProperty({ description: 'the data version the fit belongs to: every import changes it and the models are fitted again' }) data_version!: number;
  @ApiProperty({ description: 'when this fit was computed; a cached answer repeats it', example: '2026-11-02T08:15:00.000Z' }) fitted_at!: string;
}

// ---------------------------------------------------------------------------------------------
// GET /api/v1/customers/{customer_id}/value

export class ExpectedPurchasesDto {
  @ApiProperty({ nullable: true, type: Number, description: 'expected purchases (purchase days) in the 13 weeks after as_of' }) weeks_13!: number | null;
  @ApiProperty({ nullable: true, type: Number }) weeks_26!: number | null;
  @ApiProperty({ nullable: true, type: Number }) weeks_52!: number | null;
}

export class CustomerValueDto {
  @ApiProperty() customer_id!: string;
  @ApiProperty({ example: '2026-10-31' }) as_of!: string;
  @ApiProperty({
    enum: ['ok', 'no_orders', 'model_unavailable', 'no_model_value'],
    description:
      'ok: every figure; no_orders: no completed order dated on or before as_of (everything null); model_unavailable: the ' +
      'models could not be fitted as of as_of (the summary only); no_model_value: P(alive) and expected purchases but no CLV ' +
      '(completed amounts sum to 0, or the spend model has no finite mean)',
  })
  status!: string;
  @ApiProperty({ nullable: true, type: String, description: 'why figures are null' }) reason!: string | null;
  @ApiProperty({ nullable: true, type: Number, description: 'repeat purchases: distinct purchase days − 1' }) x!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'weeks from the first to the last purchase day' }) t_x!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'weeks from the first purchase day to as_of' }) T!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'mean amount of the repeat purchase days (0 when x = 0)' }) m_x!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Σ effective gross margin / Σ amount of its completed orders (null when the amounts sum to 0)' })
  margin_rate!: number | null;
  @ApiProperty({ nullable: true, type: String }) first_purchase_on!: string | null;
  @ApiProperty({ nullable: true, type: String }) last_purchase_on!: string | null;
  @ApiProperty({ nullable: true, type: Number, description: 'P(alive | x, t_x, T): the probability the customer has not dropped out' }) p_alive!: number | null;
  @ApiProperty({ type: ExpectedPurchasesDto }) expected_purchases!: ExpectedPurchasesDto;
  @ApiProperty({ nullable: true, type: Number, description: 'E[M | x, m_x]: expected value of a future purchase (Gamma-Gamma)' })
  expected_avg_value!: number | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'predictive CLV: discounted expected gross margin over CLV_HORIZON_MONTHS months (DISCOUNT_RATE a year)',
  })
  clv!: number | null;
}

/**
 * Predictive, discounted customer lifetime value (shared/spec/kpi-definitions.md, "Predictive
 * customer value"): horizon H months, month k covering weeks ((k − 1)·52/12, k·52/12],
 *
 *   CLV = Σ_{k=1..H} (E[Y(k·52/12)] − E[Y((k − 1)·52/12)]) · E[M] · m_c · (1 + d)^(−k/12),
 *
 * with E[Y] the BG/NBD conditional expectation, E[M] the Gamma-Gamma expected average value,
 * m_c the customer's margin rate and d the annual discount rate.
 *
 * The sum over months depends on the customer only through (x, t_x, T), and apart from the
 * factor P(alive | x, t_x, T) only through (x, T): the batch scorer evaluates the series once
 * per distinct (x, T), P(alive) once per distinct (x, t_x, T), and multiplies by E[M]·m_c per
 * customer.
 *
 * Pure code: no Nest, ORM or I/O imports.
 */
import { aliveExpectationConstants, expectedPurchasesIfAlive, pAlive, type BgnbdParams } from './bgnbd';
import { groupDistinctRows } from './customer-summary';
import { expectedAverageValue, type GammaGammaParams } from './gamma-gamma';

export const WEEKS_PER_MONTH = 52 / 12;

export interface ClvModels {
  bgnbd: BgnbdParams;
  gg: GammaGammaParams;
}

export interface ClvOptions {
  /** H, whole months ≥ 0 (`CLV_HORIZON_MONTHS`, default 12 in the service). */
  horizonMonths: number;
  /** d, annual (`DISCOUNT_RATE`, default 0.10 in the service); > −1. */
  annualDiscountRate: number;
}

export interface ClvCustomer {
  x: number;
  tx: number;
  T: number;
  mx: number;
  /** m_c = Σ gross margin / Σ amount of the customer's completed orders dated ≤ e. */
  marginRate: number;
}

function checkOptions(opts: ClvOptions): void {
  if (!Number.isInteger(opts.horizonMonths) || opts.horizonMonths < 0) {
    throw new RangeError(`CLV horizon must be a whole number of months ≥ 0 (got ${opts.horizonMonths})`);
  }
  if (!(opts.annualDiscountRate > -1) || !Number.isFinite(opts.annualDiscountRate)) {
    throw new RangeError(`annual discount rate must be finite and > −1 (got ${opts.annualDiscountRate})`);
  }
}

/** (1 + d)^(−k/12) for k = 1..H. */
function monthlyDiscounts(opts: ClvOptions): Float64Array {
  const out = new Float64Array(opts.horizonMonths);
  const lnBase = Math.log1p(opts.annualDiscountRate);
  for (let k = 1; k <= opts.horizonMonths; k++) out[k - 1] = Math.exp((-k / 12) * lnBase);
  return out;
}

/**
 * Σ_{k=1..H} (E[Y(k·52/12) | alive] − E[Y((k−1)·52/12) | alive]) · (1 + d)^(−k/12) for one
 * (x, T): E[Y(t) | alive] does not depend on t_x, so this is shared by all rows with the same
 * x and T, and the row's value is P(alive | x, t_x, T) times it.
 */
function discountedPurchasesIfAlive(params: BgnbdParams, x: number, T: number, discounts: Float64Array): number {
  const H = discounts.length;
  if (H === 0) return 0;
  const k = aliveExpectationConstants(params, x, T);
  let prev = 0;
  let sum = 0;
  for (let m = 1; m <= H; m++) {
    const cur = expectedPurchasesIfAlive(k, m * WEEKS_PER_MONTH);
    sum += (cur - prev) * discounts[m - 1];
    prev = cur;
  }
  return sum;
}

/** Discounted expected purchases of one (x, t_x, T). */
function discountedPurchases(params: BgnbdParams, x: number, tx: number, T: number, discounts: Float64Array): number {
  const alive = pAlive(params, x, tx, T);
  return alive === 0 ? 0 : alive * discountedPurchasesIfAlive(params, x, T, discounts);
}

/**
 * Per row: P(alive) and the discounted expected purchases, the latter evaluated once per
 * distinct (x, T) pair.
 */
function evaluateRows(
  params: BgnbdParams,
  rows: { x: ArrayLike<number>; tx: ArrayLike<number>; T: ArrayLike<number> },
  discounts: Float64Array,
): { alive: Float64Array; purchases: Float64Array } {
  const n = rows.x.length;
  const pairs = groupDistinctRows(rows.x, new Float64Array(n), rows.T);
  const m = pairs.rows.x.length;
  const pairValue = new Float64Array(m);
  for (let j = 0; j < m; j++) pairValue[j] = discountedPurchasesIfAlive(params, pairs.rows.x[j], pairs.rows.T[j], discounts);
  const alive = new Float64Array(n);
  const purchases = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const pa = pAlive(params, rows.x[i], rows.tx[i], rows.T[i]);
    alive[i] = pa;
    purchases[i] = pa === 0 ? 0 : pa * pairValue[pairs.rowOf[i]];
  }
  return { alive, purchases };
}

/** The spec's discounted CLV of one customer. */
export function discountedClv(models: ClvModels, customer: ClvCustomer, opts: ClvOptions): number {
  checkOptions(opts);
  const { x, tx, T, mx, marginRate } = customer;
  const purchases = discountedPurchases(models.bgnbd, x, tx, T, monthlyDiscounts(opts));
  if (purchases === 0) return 0;
  return purchases * expectedAverageValue(models.gg, x, mx) * marginRate;
}

/**
 * The discounted expected purchases Σ_k ΔE[Y]_k (1 + d)^(−k/12) for every distinct row
 * (CLV = this · E[M] · m_c).
 */
export function discountedPurchasesByRow(
  bgnbd: BgnbdParams,
  rows: { x: ArrayLike<number>; tx: ArrayLike<number>; T: ArrayLike<number> },
  opts: ClvOptions,
): Float64Array {
  checkOptions(opts);
  return evaluateRows(bgnbd, rows, monthlyDiscounts(opts)).purchases;
}

/** Customers in columns (one entry per customer). */
export interface ClvCustomerColumns {
  x: ArrayLike<number>;
  tx: ArrayLike<number>;
  T: ArrayLike<number>;
  mx: ArrayLike<number>;
  marginRate: ArrayLike<number>;
}

export interface ClvBatchResult {
  clv: Float64Array;
  pAlive: Float64Array;
  /** E[M | x, m_x] per customer. */
  expectedAverageValue: Float64Array;
  /** Number of distinct (x, t_x, T) rows the model was evaluated on. */
  distinctRows: number;
}

/**
 * Scores many customers: groups them into distinct (x, t_x, T) rows, evaluates P(alive) once
 * per row and the discounted expected purchases if alive once per distinct (x, T), then
 * CLV = P(alive) · that · E[M] · m_c per customer. Equals discountedClv customer by customer.
 */
export function scoreClvBatch(models: ClvModels, customers: ClvCustomerColumns, opts: ClvOptions): ClvBatchResult {
  checkOptions(opts);
  const n = customers.x.length;
  for (const key of ['tx', 'T', 'mx', 'marginRate'] as const) {
    if (customers[key].length !== n) throw new RangeError(`scoreClvBatch: column ${key} has a different length`);
  }
  const { rows, rowOf } = groupDistinctRows(customers.x, customers.tx, customers.T);
  const { alive: rowAlive, purchases: rowPurchases } = evaluateRows(models.bgnbd, rows, monthlyDiscounts(opts));
  const m = rows.x.length;
  const clv = new Float64Array(n);
  const alive = new Float64Array(n);
  const em = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = rowOf[i];
    const value = expectedAverageValue(models.gg, customers.x[i], customers.mx[i]);
    em[i] = value;
    alive[i] = rowAlive[r];
    clv[i] = rowPurchases[r] === 0 ? 0 : rowPurchases[r] * value * customers.marginRate[i];
  }
  return { clv, pAlive: alive, expectedAverageValue: em, distinctRows: m };
}

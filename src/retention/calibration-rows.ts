import type { BgnbdGroupedRows, CalibrationData, GammaGammaGroupedRows } from '../predictive/customer-value.repository';

/**
 * The grouped rows the predictive fits take (BG/NBD: distinct (x, t_x days, T days) with
 * counts; Gamma-Gamma: distinct (x, repeat amount) of customers with x > 0 and a positive
 * repeat amount), gathered from the early-warning statement's pass over the orders so that
 * the organisation-wide list costs one pass, not two.
 *
 * The rows come out in the canonical order CustomerValueRepository gives them (ascending
 * x, then t_x days, then T days; ascending x, then repeat amount in cents) with the same
 * unit conversions (weeks = days / 7; m_x = cents / 100 / x), so fitModels() sees exactly
 * the rows it sees when CustomerValueService fits — the same parameters to the last bit
 * (test/retention holds the two fits equal).
 */
export class CalibrationRows {
  private readonly bg = new Map<string, number>();
  private readonly gg = new Map<string, number>();
  customers = 0;
  repeatCustomers = 0;

  /** A BG/NBD group: purchase days (x + 1), t_x and T in days, customers. */
  addBg(days: number, txDays: number, tDays: number, n: number): void {
    const key = `${days - 1},${txDays},${tDays}`;
    this.bg.set(key, (this.bg.get(key) ?? 0) + n);
    this.customers += n;
    if (days > 1) this.repeatCustomers += n;
  }

  /** A Gamma-Gamma group: purchase days (x + 1), repeat amount, customers. */
  addGg(days: number, repeatAmount: number, n: number): void {
    const cents = Math.round(repeatAmount * 100);
    const key = `${days - 1},${cents}`;
    this.gg.set(key, (this.gg.get(key) ?? 0) + n);
  }

  data(asOf: string, partitions: number): CalibrationData {
    const bgRows = [...this.bg.entries()].map(([k, n]) => [...k.split(',').map(Number), n] as [number, number, number, number]);
    bgRows.sort((p, q) => p[0] - q[0] || p[1] - q[1] || p[2] - q[2]);
    const ggRows = [...this.gg.entries()].map(([k, n]) => [...k.split(',').map(Number), n] as [number, number, number]);
    ggRows.sort((p, q) => p[0] - q[0] || p[1] - q[1]);
    const bgnbd: BgnbdGroupedRows = {
      x: Float64Array.from(bgRows, (r) => r[0]),
      tx: Float64Array.from(bgRows, (r) => r[1] / 7),
      T: Float64Array.from(bgRows, (r) => r[2] / 7),
      count: Float64Array.from(bgRows, (r) => r[3]),
    };
    const gg: GammaGammaGroupedRows = {
      x: Float64Array.from(ggRows, (r) => r[0]),
      mx: Float64Array.from(ggRows, (r) => r[1] / 100 / r[0]),
      count: Float64Array.from(ggRows, (r) => r[2]),
    };
    return { asOf, customers: this.customers, repeatCustomers: this.repeatCustomers, bgnbd, gg, perCustomer: null, org: null, partitions };
  }
}

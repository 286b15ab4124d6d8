import { GroupedRowsBuilder, type CalibrationData } from '../predictive/customer-value.repository';

/**
 * The grouped rows the predictive fits take, gathered from the early-warning statement's pass
 * over the orders so that the organisation-wide list costs one pass, not two. The statement
 * counts purchase days (x + 1); the rows are merged by CustomerValueRepository's own
 * GroupedRowsBuilder, so fitModels() sees exactly the rows it sees when CustomerValueService
 * fits — the same parameters to the last bit (test/retention holds the two fits equal).
 */
export class CalibrationRows {
  private readonly rows = new GroupedRowsBuilder();

  /** A BG/NBD group: purchase days (x + 1), t_x and T in days, customers. */
  addBg(days: number, txDays: number, tDays: number, n: number): void {
    this.rows.addBg(days - 1, txDays, tDays, n);
  }

  /** A Gamma-Gamma group: purchase days (x + 1), repeat amount, customers. */
  addGg(days: number, repeatAmount: number, n: number): void {
    this.rows.addGg(days - 1, repeatAmount, n);
  }

  data(asOf: string, partitions: number): CalibrationData {
    const { customers, repeatCustomers } = this.rows;
    return { asOf, customers, repeatCustomers, bgnbd: this.rows.bgnbd(), gg: this.rows.gammaGamma(), perCustomer: null, org: null, partitions };
  }
}

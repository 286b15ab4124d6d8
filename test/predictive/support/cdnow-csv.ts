import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CompletedOrder } from '../../../src/predictive/domain/customer-summary';

export const CDNOW_FILE = path.join(__dirname, '../../../../shared/data/CDNOW_sample.txt');

export interface CdnowData {
  /** folder holding customers.csv and orders.csv */
  dir: string;
  /** sample customer id → its orders (date, dollars) in file order */
  orders: Map<string, CompletedOrder[]>;
}

/**
 * The CDNOW 1/10th sample as the data contract describes (shared/spec/data-contract.md, "The
 * public benchmark data set"): one customer per sample id with acquired_on = its first purchase
 * date and no owner; one order per line, order_id = the line number, ordered_at = the date,
 * amount = the dollar value (gross margin empty: the default margin rule applies).
 */
export function writeCdnowCsv(): CdnowData {
  const dir = mkdtempSync(path.join(tmpdir(), 'ys-cdnow-'));
  const orders = new Map<string, CompletedOrder[]>();
  const lines = ['order_id,customer_id,ordered_at,amount'];
  readFileSync(CDNOW_FILE, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (!line.trim()) return;
      const [, id, ymd, , dollars] = line.trim().split(/\s+/);
      const date = `${ymd.slice(0, 4)}-${ymd.slice(4, 6)}-${ymd.slice(6, 8)}`;
      lines.push(`${i + 1},${id},${date},${dollars}`);
      const list = orders.get(id) ?? [];
      list.push({ date, amount: Number(dollars) });
      orders.set(id, list);
    });
  const customers = ['customer_id,acquired_on'];
  for (const [id, list] of orders) customers.push(`${id},${list.map((o) => o.date).sort()[0]}`);
  writeFileSync(path.join(dir, 'customers.csv'), `${customers.join('\n')}\n`);
  writeFileSync(path.join(dir, 'orders.csv'), `${lines.join('\n')}\n`);
  return { dir, orders };
}

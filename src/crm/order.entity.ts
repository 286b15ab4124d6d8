import { defineEntity, p } from '@mikro-orm/core';

/**
 * orders.csv. Money is numeric(16,2). `ordered_on` is the local date of ordered_at in
 * ORG_TIMEZONE, kept because every KPI rule on orders is stated on local dates. Ids are
 * compared byte-wise (collate "C", as every id column): the order of ids does not depend on
 * the server's locale, and sorting or indexing them is cheaper.
 * gross_margin stays null when the CRM gave none: the default margin rule
 * (amount × DEFAULT_MARGIN_RATE) is applied at query time so the setting can change.
 */
export const OrderSchema = defineEntity({
  name: 'Order',
  tableName: 'orders',
  properties: {
    orderId: p.string().length(64).collation('C').primary().fieldName('order_id'),
    customerId: p.string().length(64).collation('C').fieldName('customer_id'),
    orderedAt: p.datetime().fieldName('ordered_at'),
    orderedOn: p.date().fieldName('ordered_on'),
    amount: p.decimal('string').precision(16).scale(2),
    grossMargin: p.decimal('string').precision(16).scale(2).nullable().fieldName('gross_margin'),
    status: p.string().length(16),
  },
  indexes: [
    // covering: every pass over a customer's completed orders (the KPI engine's per-customer
    // state, the predictive models' summaries, the early-warning list) reads the index alone
    // (an index-only scan in customer order) instead of visiting the table row by row
    { name: 'orders_customer_day_idx', properties: ['customerId', 'orderedOn'], include: ['status', 'amount', 'grossMargin'] },
    { name: 'orders_day_idx', properties: ['orderedOn'] },
  ],
});
export class Order extends OrderSchema.class {}
OrderSchema.setClass(Order);

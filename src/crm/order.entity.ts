import { defineEntity, p } from '@mikro-orm/core';

/**
 * orders.csv. Money is numeric(16,2). `ordered_on` is the local date of ordered_at in
 * ORG_TIMEZONE, kept because every KPI rule on orders is stated on local dates.
 * gross_margin stays null when the CRM gave none: the default margin rule
 * (amount × DEFAULT_MARGIN_RATE) is applied at query time so the setting can change.
 */
export const OrderSchema = defineEntity({
  name: 'Order',
  tableName: 'orders',
  properties: {
    orderId: p.string().length(64).primary().fieldName('order_id'),
    customerId: p.string().length(64).fieldName('customer_id'),
    orderedAt: p.datetime().fieldName('ordered_at'),
    orderedOn: p.date().fieldName('ordered_on'),
    amount: p.decimal('string').precision(16).scale(2),
    grossMargin: p.decimal('string').precision(16).scale(2).nullable().fieldName('gross_margin'),
    status: p.string().length(16),
  },
  indexes: [
    { name: 'orders_customer_day_idx', properties: ['customerId', 'orderedOn'] },
    { name: 'orders_day_idx', properties: ['orderedOn'] },
  ],
});
export class Order extends OrderSchema.class {}
OrderSchema.setClass(Order);

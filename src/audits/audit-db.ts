export { withTransaction, type Queryable } from '../database/transaction';

/** An instant as ISO 8601 UTC with milliseconds (how every audit timestamp leaves the API). */
export const isoOrNull = (d: Date | null): string | null => (d ? d.toISOString() : null);

import { defineEntity, p } from '@mikro-orm/core';
import { IMMUTABLE_BODY } from '../database/immutable-trigger';

/**
 * The 360 change log the KPI engine's data version reads (registerVersionTable): a row when
 * a cycle is created and one when it is first seen closed — the only events that change
 * `feedback_360_score`, which reads closed cycles only (responses can change only while a
 * cycle is open). Insert-only; it records no rater and no response.
 */
export const FeedbackChangeSchema = defineEntity({
  name: 'FeedbackChange',
  tableName: 'feedback_changes',
  properties: {
    id: p.integer().primary().autoincrement(),
    cycleId: p.integer().fieldName('cycle_id'),
    /** 'created' | 'closed' */
    kind: p.string().length(16),
  },
  uniques: [{ name: 'feedback_changes_cycle_kind_unique', properties: ['cycleId', 'kind'] }],
  // insert-only: the database refuses to change or remove a row
  triggers: [{ name: 'immutable', timing: 'before', events: ['update', 'delete'], forEach: 'row', body: IMMUTABLE_BODY }],
});
export class FeedbackChange extends FeedbackChangeSchema.class {}
FeedbackChangeSchema.setClass(FeedbackChange);

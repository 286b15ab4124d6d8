import { defineEntity, p } from '@mikro-orm/core';

/** One row per successful import of a file: what was imported, by whom, and what changed. */
export const ImportBatchSchema = defineEntity({
  name: 'ImportBatch',
  tableName: 'import_batches',
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    entity: p.string().length(32),
    source: p.text(),
    sha256: p.string().length(64),
    rows: p.integer(),
    inserted: p.integer(),
    updated: p.integer(),
    unchanged: p.integer(),
    importedBy: p.text().nullable().fieldName('imported_by'),
    createdAt: p.datetime().fieldName('created_at'),
  },
});
export class ImportBatch extends ImportBatchSchema.class {}
ImportBatchSchema.setClass(ImportBatch);

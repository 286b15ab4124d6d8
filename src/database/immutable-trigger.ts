/** Body of the row trigger that makes a table insert-only (published snapshots, template versions). */
export const IMMUTABLE_BODY =
  "raise exception '% rows are immutable: published data never changes, publish a new version instead', tg_table_name using errcode = 'integrity_constraint_violation';";

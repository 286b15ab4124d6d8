import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { PG_POOL } from '../database/database.module';
import type { Queryable } from './audit-db';
import type { FormDefinition } from './domain/audit-form';

export interface FormVersionRow {
  form_version_id: number;
  form_id: number;
  version: number;
  name: string;
  definition: FormDefinition;
  created_at: Date;
  created_by: string | null;
  seed_key: string | null;
  retired_at: Date | null;
  retired_by: string | null;
  retired_reason: string | null;
  /** audits scored with this version (drafts included) */
  audits: number;
  /** the form's latest version number */
  latest_version: number;
}

const VERSION_SELECT = `
  select v.id as form_version_id, v.form_id, v.version, v.name, v.definition, v.created_at, v.created_by, f.seed_key,
         r.retired_at, r.retired_by, r.reason as retired_reason,
         (select count(*)::int from audits a where a.form_version_id = v.id) as audits,
         (select max(x.version) from audit_form_versions x where x.form_id = v.form_id) as latest_version
    from audit_form_versions v
    join audit_forms f on f.id = v.form_id
    left join audit_form_retirements r on r.form_version_id = v.id`;

/** Audit forms and their immutable versions (tables audit_forms, audit_form_versions, audit_form_retirements). */
@Injectable()
export class AuditFormsRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** Serialises changes to one form (new versions, retirement) across instances. */
  async lockForm(q: Queryable, formId: number): Promise<void> {
    await q.query("select pg_advisory_xact_lock(hashtext('yardstick:audit-form:' || $1::text))", [formId]);
  }

  async insertForm(q: Queryable, f: { seedKey: string | null; at: Date; by: string | null }): Promise<number> {
    const r = await q.query<{ id: number }>('insert into audit_forms (seed_key, created_at, created_by) values ($1, $2, $3) returning id', [f.seedKey, f.at, f.by]);
    return r.rows[0].id;
  }

  async insertVersion(q: Queryable, v: { formId: number; version: number; definition: FormDefinition; at: Date; by: string | null }): Promise<number> {
    const r = await q.query<{ id: number }>(
      'insert into audit_form_versions (form_id, version, name, definition, created_at, created_by) values ($1, $2, $3, $4, $5, $6) returning id',
      [v.formId, v.version, v.definition.name, JSON.stringify(v.definition), v.at, v.by],
    );
    return r.rows[0].id;
  }

  async retire(q: Queryable, formVersionId: number, r: { at: Date; by: string | null; reason: string }): Promise<void> {
    await q.query('insert into audit_form_retirements (form_version_id, retired_at, retired_by, reason) values ($1, $2, $3, $4) on conflict do nothing', [
      formVersionId,
      r.at,
      r.by,
      r.reason,
    ]);
  }

  async seededFormExists(q: Queryable, seedKey: string): Promise<boolean> {
    const r = await q.query('select 1 from audit_forms where seed_key = $1', [seedKey]);
    return (r.rowCount ?? 0) > 0;
  }

  async formExists(formId: number, q: Queryable = this.pool): Promise<boolean> {
    const r = await q.query('select 1 from audit_forms where id = $1', [formId]);
    return (r.rowCount ?? 0) > 0;
  }

  /** The latest version of every form (or of active ones only), by form id. */
  async latestVersions(opts: { activeOnly: boolean }): Promise<FormVersionRow[]> {
    const r = await this.pool.query<FormVersionRow>(
      `${VERSION_SELECT}
        where v.version = (select max(x.version) from audit_form_versions x where x.form_id = v.form_id)
          and (not $1::boolean or r.form_version_id is null)
        order by v.form_id`,
      [opts.activeOnly],
    );
    return r.rows;
  }

  async versionsOf(formId: number, q: Queryable = this.pool): Promise<FormVersionRow[]> {
    const r = await q.query<FormVersionRow>(`${VERSION_SELECT} where v.form_id = $1 order by v.version`, [formId]);
    return r.rows;
  }

  async version(formId: number, version: number, q: Queryable = this.pool): Promise<FormVersionRow | null> {
    const r = await q.query<FormVersionRow>(`${VERSION_SELECT} where v.form_id = $1 and v.version = $2`, [formId, version]);
    return r.rows[0] ?? null;
  }

  async versionById(formVersionId: number, q: Queryable = this.pool): Promise<FormVersionRow | null> {
    const r = await q.query<FormVersionRow>(`${VERSION_SELECT} where v.id = $1`, [formVersionId]);
    return r.rows[0] ?? null;
  }
}

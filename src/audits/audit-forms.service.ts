import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Pool } from 'pg';
import { systemClock, type Clock } from '../common/clock';
import { notFound } from '../common/problem-details';
import { PG_POOL } from '../database/database.module';
import { CLOCK } from '../periods/periods.service';
import { isoOrNull, withTransaction, type Queryable } from './audit-db';
import { conflict, invalid, type Actor } from './audit-errors';
import type { FormDetailDto, FormVersionDto } from './audit-form.dto';
import { AuditFormsRepository, type FormVersionRow } from './audit-forms.repository';
import { AuditLogRepository } from './audit-log.repository';
import { normaliseFormDefinition, validateFormDefinition, type FormDefinition } from './domain/audit-form';
import { DEFAULT_FORM, DEFAULT_FORM_SEED_KEY } from './domain/default-form';

const SEED_ACTOR: Actor = { userId: null, email: 'seed' };

/**
 * Mystery-shopper audit forms (shared/spec/evaluations.md, "Forms are versioned"). A version
 * never changes once saved: an edit adds version n+1 and retires version n (superseded), so
 * audits in progress keep the version they were started with while new audits use the
 * latest; retiring a form retires its latest version. Every change is in the audit log.
 */
@Injectable()
export class AuditFormsService implements OnApplicationBootstrap {
  constructor(
    private readonly repo: AuditFormsRepository,
    private readonly log: AuditLogRepository,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {}

  /** Seeds the default phone/chat form once (idempotent; safe when several instances start together). */
  async onApplicationBootstrap(): Promise<void> {
    await withTransaction(this.pool, async (q) => {
      await q.query("select pg_advisory_xact_lock(hashtext('yardstick:audit-forms:seed'))");
      if (await this.repo.seededFormExists(q, DEFAULT_FORM_SEED_KEY)) return;
      await this.insertNewForm(q, normaliseFormDefinition(DEFAULT_FORM), DEFAULT_FORM_SEED_KEY, SEED_ACTOR);
    });
  }

  async list(opts: { activeOnly: boolean }): Promise<FormVersionDto[]> {
    return (await this.repo.latestVersions(opts)).map(versionView);
  }

  async get(formId: number): Promise<FormDetailDto> {
    const versions = await this.repo.versionsOf(formId);
    if (!versions.length) throw notFound('audit form', String(formId));
    const latest = versions[versions.length - 1];
    return {
      ...versionView(latest),
      versions: versions.map((v) => {
        const x = versionView(v);
        return { version: x.version, form_version_id: x.form_version_id, name: x.name, status: x.status, retired_at: x.retired_at, retired_reason: x.retired_reason, audits: x.audits, created_at: x.created_at, created_by: x.created_by };
      }),
    };
  }

  async getVersion(formId: number, version: number): Promise<FormVersionDto> {
    const v = await this.repo.version(formId, version);
    if (!v) {
      if (!(await this.repo.formExists(formId))) throw notFound('audit form', String(formId));
      throw notFound(`version of audit form ${formId}`, String(version));
    }
    return versionView(v);
  }

  async create(raw: unknown, actor: Actor): Promise<FormDetailDto> {
    const def = this.validated(raw);
    const id = await withTransaction(this.pool, (q) => this.insertNewForm(q, def, null, actor));
    return this.get(id);
  }

  /**
   * An edit: adds version n+1 (the previous latest version is retired as superseded). An
   * identical definition changes nothing (PUT is idempotent). Editing a retired form makes it
   * active again with the new version.
   */
  async update(formId: number, raw: unknown, actor: Actor): Promise<FormDetailDto> {
    const def = this.validated(raw);
    const at = this.clock.now();
    await withTransaction(this.pool, async (q) => {
      await this.repo.lockForm(q, formId);
      const versions = await this.repo.versionsOf(formId, q);
      if (!versions.length) throw notFound('audit form', String(formId));
      const latest = versions[versions.length - 1];
      if (latest.retired_at === null && sameDefinition(latest.definition, def)) return;
      const version = latest.version + 1;
      const versionId = await this.repo.insertVersion(q, { formId, version, definition: def, at, by: actor.email });
      if (latest.retired_at === null) {
        await this.repo.retire(q, latest.form_version_id, { at, by: actor.email, reason: `superseded by version ${version}` });
      }
      await this.log.append(q, {
        entityType: 'form',
        entityId: formId,
        auditId: null,
        action: 'new_version',
        actorUserId: actor.userId,
        actor: actor.email,
        at,
        before: { version: latest.version, form_version_id: latest.form_version_id, definition: latest.definition, retired: latest.retired_at !== null },
        after: { version, form_version_id: versionId, definition: def },
      });
    });
    return this.get(formId);
  }

  /** Retires the form's latest version: no new audit may use the form until it is edited again. */
  async retire(formId: number, reason: string | undefined, actor: Actor): Promise<FormDetailDto> {
    const at = this.clock.now();
    await withTransaction(this.pool, async (q) => {
      await this.repo.lockForm(q, formId);
      const versions = await this.repo.versionsOf(formId, q);
      if (!versions.length) throw notFound('audit form', String(formId));
      const latest = versions[versions.length - 1];
      if (latest.retired_at !== null) throw conflict(`audit form ${formId} is already retired (version ${latest.version}: ${latest.retired_reason})`);
      const why = reason?.trim() || 'form retired';
      await this.repo.retire(q, latest.form_version_id, { at, by: actor.email, reason: why });
      await this.log.append(q, {
        entityType: 'form',
        entityId: formId,
        auditId: null,
        action: 'retire',
        actorUserId: actor.userId,
        actor: actor.email,
        at,
        before: { version: latest.version, form_version_id: latest.form_version_id, status: 'active' },
        after: { version: latest.version, form_version_id: latest.form_version_id, status: 'retired', reason: why },
      });
    });
    return this.get(formId);
  }

  private validated(raw: unknown): FormDefinition {
    const errors = validateFormDefinition(raw);
    if (errors.length) throw invalid(errors);
    return normaliseFormDefinition(raw as FormDefinition);
  }

  private async insertNewForm(q: Queryable, def: FormDefinition, seedKey: string | null, actor: Actor): Promise<number> {
    const at = this.clock.now();
    const formId = await this.repo.insertForm(q, { seedKey, at, by: actor.email });
    const versionId = await this.repo.insertVersion(q, { formId, version: 1, definition: def, at, by: actor.email });
    await this.log.append(q, {
      entityType: 'form',
      entityId: formId,
      auditId: null,
      action: 'create',
      actorUserId: actor.userId,
      actor: actor.email,
      at,
      before: null,
      after: { version: 1, form_version_id: versionId, seed_key: seedKey, definition: def },
    });
    return formId;
  }
}

/** Whether two normalised definitions are the same (JSON with keys in a stable order). */
function sameDefinition(a: FormDefinition, b: FormDefinition): boolean {
  return JSON.stringify(normaliseFormDefinition(a)) === JSON.stringify(normaliseFormDefinition(b));
}

export function versionView(v: FormVersionRow): FormVersionDto {
  const def = normaliseFormDefinition(v.definition);
  return {
    form_id: v.form_id,
    version: v.version,
    form_version_id: v.form_version_id,
    name: def.name,
    description: def.description ?? null,
    channels: def.channels ?? [],
    sections: def.sections as FormVersionDto['sections'],
    status: v.retired_at === null ? 'active' : 'retired',
    retired_at: isoOrNull(v.retired_at),
    retired_reason: v.retired_reason,
    latest: v.version === v.latest_version,
    audits: v.audits,
    seeded: v.seed_key !== null,
    created_at: v.created_at.toISOString(),
    created_by: v.created_by,
  };
}

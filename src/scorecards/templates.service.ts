import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Pool } from 'pg';
import { ProblemException } from '../common/problem-details';
import { PG_POOL } from '../database/database.module';
import { DEFAULT_TEMPLATE, validateTemplate, type ScorecardTemplateDef, type TemplateKpi } from './domain/scorecard-template';

export interface TemplateVersionView {
  /** id of this version (snapshots refer to it) */
  version_id: number;
  template_id: number;
  name: string;
  version: number;
  is_default: boolean;
  kpis: TemplateKpi[];
  created_at: string;
  created_by: string | null;
}

interface Row {
  version_id: number;
  template_id: number;
  name: string;
  version: number;
  is_default: boolean;
  definition: { kpis: TemplateKpi[] };
  created_at: Date;
  created_by: string | null;
}

const LATEST = `
  select v.id as version_id, t.id as template_id, t.name, v.version, t.is_default, v.definition, v.created_at, v.created_by
    from scorecard_templates t
    join lateral (select * from scorecard_template_versions v where v.template_id = t.id order by v.version desc limit 1) v on true`;

/**
 * Scorecard templates. A template's definition is versioned: an edit adds a version (old
 * versions are immutable), live scorecards use the default template's latest version, and
 * every snapshot records the version it was scored with.
 */
@Injectable()
export class TemplatesService implements OnApplicationBootstrap {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** Seeds the default template once (safe when several instances start together). */
  async onApplicationBootstrap(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('begin');
      await client.query("select pg_advisory_xact_lock(hashtext('yardstick:templates'))");
      const any = await client.query('select 1 from scorecard_templates limit 1');
      if (!any.rowCount) {
        const t = await client.query<{ id: number }>(
          'insert into scorecard_templates (name, is_default, created_at) values ($1, true, now()) returning id',
          [DEFAULT_TEMPLATE.name],
        );
        await client.query(
          `insert into scorecard_template_versions (template_id, version, definition, created_at, created_by) values ($1, 1, $2, now(), 'seed')`,
          [t.rows[0].id, JSON.stringify({ kpis: DEFAULT_TEMPLATE.kpis })],
        );
      }
      await client.query('commit');
    } catch (err) {
      await client.query('rollback').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async list(): Promise<TemplateVersionView[]> {
    const r = await this.pool.query<Row>(`${LATEST} order by t.id`);
    return r.rows.map(view);
  }

  async get(templateId: number): Promise<TemplateVersionView & { versions: { version_id: number; version: number; created_at: string; created_by: string | null }[] }> {
    const r = await this.pool.query<Row>(`${LATEST} where t.id = $1`, [templateId]);
    if (!r.rowCount) throw new ProblemException(404, 'Not Found', `scorecard template ${templateId} does not exist`);
    const versions = await this.pool.query<{ version_id: number; version: number; created_at: Date; created_by: string | null }>(
      'select id as version_id, version, created_at, created_by from scorecard_template_versions where template_id = $1 order by version',
      [templateId],
    );
    return { ...view(r.rows[0]), versions: versions.rows.map((v) => ({ ...v, created_at: v.created_at.toISOString() })) };
  }

  /** The version live scorecards are scored with: the default template's latest. */
  async current(): Promise<TemplateVersionView> {
    const r = await this.pool.query<Row>(`${LATEST} where t.is_default order by t.id limit 1`);
    if (!r.rowCount) throw new ProblemException(409, 'Conflict', 'no default scorecard template is defined');
    return view(r.rows[0]);
  }

  async byVersionId(versionId: number): Promise<TemplateVersionView> {
    const r = await this.pool.query<Row>(
      `select v.id as version_id, t.id as template_id, t.name, v.version, t.is_default, v.definition, v.created_at, v.created_by
         from scorecard_template_versions v join scorecard_templates t on t.id = v.template_id where v.id = $1`,
      [versionId],
    );
    if (!r.rowCount) throw new ProblemException(404, 'Not Found', `scorecard template version ${versionId} does not exist`);
    return view(r.rows[0]);
  }

  async create(def: ScorecardTemplateDef, opts: { isDefault: boolean; by: string }): Promise<TemplateVersionView> {
    assertValid(def);
    return this.tx(async (q) => {
      const dup = await q('select 1 from scorecard_templates where name = $1', [def.name]);
      if (dup.rowCount) throw new ProblemException(409, 'Conflict', `a scorecard template named ${JSON.stringify(def.name)} exists`);
      if (opts.isDefault) await q('update scorecard_templates set is_default = false where is_default');
      const t = await q('insert into scorecard_templates (name, is_default, created_at) values ($1, $2, now()) returning id', [def.name, opts.isDefault]);
      const id = (t.rows[0] as { id: number }).id;
      await q(
        'insert into scorecard_template_versions (template_id, version, definition, created_at, created_by) values ($1, 1, $2, now(), $3)',
        [id, JSON.stringify({ kpis: def.kpis }), opts.by],
      );
      return id;
    }).then((id) => this.get(id));
  }

  /** An edit adds a version; periods already published keep the version they were scored with. */
  async update(templateId: number, def: ScorecardTemplateDef, opts: { isDefault?: boolean; by: string }): Promise<TemplateVersionView> {
    assertValid(def);
    await this.tx(async (q) => {
      const t = await q('select id from scorecard_templates where id = $1 for update', [templateId]);
      if (!t.rowCount) throw new ProblemException(404, 'Not Found', `scorecard template ${templateId} does not exist`);
      const clash = await q('select 1 from scorecard_templates where name = $1 and id <> $2', [def.name, templateId]);
      if (clash.rowCount) throw new ProblemException(409, 'Conflict', `a scorecard template named ${JSON.stringify(def.name)} exists`);
      await q('update scorecard_templates set name = $2 where id = $1', [templateId, def.name]);
      if (opts.isDefault === true) {
        await q('update scorecard_templates set is_default = (id = $1)', [templateId]);
      } else if (opts.isDefault === false) {
        const cur = await q('select is_default from scorecard_templates where id = $1', [templateId]);
        if ((cur.rows[0] as { is_default: boolean }).is_default) {
          throw new ProblemException(422, 'Unprocessable Content', 'make another template the default instead', {
            errors: [{ field: 'is_default', reason: 'the default template cannot be unset directly' }],
          });
        }
      }
      await q(
        `insert into scorecard_template_versions (template_id, version, definition, created_at, created_by)
         select $1, coalesce(max(version), 0) + 1, $2, now(), $3 from scorecard_template_versions where template_id = $1`,
        [templateId, JSON.stringify({ kpis: def.kpis }), opts.by],
      );
    });
    return this.get(templateId);
  }

  private async tx<T>(fn: (q: (sql: string, params?: unknown[]) => Promise<{ rows: unknown[]; rowCount: number | null }>) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('begin');
      const out = await fn((sql, params) => client.query(sql, params));
      await client.query('commit');
      return out;
    } catch (err) {
      await client.query('rollback').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }
}

function assertValid(def: ScorecardTemplateDef): void {
  const errors = validateTemplate(def);
  if (errors.length) {
    throw new ProblemException(422, 'Unprocessable Content', errors.map((e) => `${e.field}: ${e.reason}`).join('; '), { errors });
  }
}

function view(r: Row): TemplateVersionView {
  return {
    version_id: r.version_id,
    template_id: r.template_id,
    name: r.name,
    version: r.version,
    is_default: r.is_default,
    kpis: r.definition.kpis,
    created_at: r.created_at.toISOString(),
    created_by: r.created_by,
  };
}

import { Pool } from 'pg';
import { ProblemException } from '../../src/common/problem-details';
import { ReportSectionsRepository } from '../../src/reports/report-sections.repository';
import { ReportSectionsService, type SectionSnapshot } from '../../src/reports/report-sections.service';
import { createTestApp, type TestApp } from '../support/test-app';

/**
 * ReportSectionsService against the real database: each registered section of a snapshot is
 * computed once — across concurrent callers in one process and across instances (two service
 * instances stand for two processes: the advisory lock, not memory, keeps them apart) — and
 * stored insert-only with the organisation's row. A fresh service instance per test keeps the
 * app's own providers (retention) out of it.
 */
describe('report sections computed once per snapshot', () => {
  let t: TestApp;
  let pool: Pool;
  let repo: ReportSectionsRepository;
  let nextVersion = 1;

  /** A published snapshot row of 2026-10 (what the section providers see of it). */
  const snapshot = async (): Promise<number> => {
    const r = await pool.query<{ id: number }>(
      `insert into period_snapshots (period, version, definitions_version, template_version_id, reason, data_version, settings, created_at, created_by)
       values ('2026-10', $1, 1, 1, null, 0, '{}', '2026-11-01T06:00:00Z', 'test') returning id`,
      [nextVersion++],
    );
    return r.rows[0].id;
  };
  const rows = async (id: number) =>
    (
      await pool.query<{ section: string; subject_type: string; subject_id: string; data: unknown }>(
        'select section, subject_type, subject_id, data from snapshot_sections where snapshot_id = $1 order by section, subject_type, subject_id',
        [id],
      )
    ).rows;
  /** A provider that counts its computations and takes `ms` to compute. */
  const counting = (section: string, result: (s: SectionSnapshot) => Map<string, unknown>, ms = 0) => {
    const calls: SectionSnapshot[] = [];
    return {
      calls,
      provider: {
        section,
        compute: async (s: SectionSnapshot) => {
          calls.push(s);
          await new Promise((r) => setTimeout(r, ms));
          return result(s);
        },
      },
    };
  };

  beforeAll(async () => {
    t = await createTestApp();
    pool = new Pool({ connectionString: t.databaseUrl, max: 2 });
    repo = t.app.get(ReportSectionsRepository);
  });
  afterAll(async () => {
    await pool.end();
    await t.close();
  });

  it('computes each section once, even when called at once in two instances, and stores every subject with the organisation', async () => {
    const id = await snapshot();
    const a = new ReportSectionsService(repo);
    const b = new ReportSectionsService(repo);
    // the same provider in both instances (as two processes of one build)
    const alphaData = (s: SectionSnapshot) => new Map<string, unknown>([['agent:A1', { n: 1, period: s.period }], ['team:T-E1', { n: 2 }], ['org:', { n: 3 }]]);
    const ca = counting('alpha', alphaData, 300);
    const cb = counting('alpha', alphaData, 300);
    const other = counting('beta', () => new Map([['agent:A1', ['x']]]));
    a.register(ca.provider);
    a.register(other.provider);
    b.register(cb.provider);
    await Promise.all([a.ensure(id), a.ensure(id), b.ensure(id)]);
    expect(ca.calls.length + cb.calls.length).toBe(1);
    expect(other.calls).toHaveLength(1);
    expect([...ca.calls, ...cb.calls]).toEqual([{ id, period: '2026-10', created_at: '2026-11-01T06:00:00.000Z' }]);
    const stored = await rows(id);
    expect(stored.filter((r) => r.section === 'alpha')).toEqual([
      { section: 'alpha', subject_type: 'agent', subject_id: 'A1', data: { n: 1, period: '2026-10' } },
      { section: 'alpha', subject_type: 'org', subject_id: '', data: { n: 3 } },
      { section: 'alpha', subject_type: 'team', subject_id: 'T-E1', data: { n: 2 } },
    ]);
    // a section without an organisation row gets one (JSON null): it records that the section was computed
    expect(stored.filter((r) => r.section === 'beta')).toEqual([
      { section: 'beta', subject_type: 'agent', subject_id: 'A1', data: ['x'] },
      { section: 'beta', subject_type: 'org', subject_id: '', data: null },
    ]);
    // later calls, here and in a new instance, compute nothing
    await a.ensure(id);
    const c = new ReportSectionsService(repo);
    const cc = counting('alpha', () => new Map());
    c.register(cc.provider);
    await c.ensure(id);
    expect(cc.calls).toHaveLength(0);
    expect(Object.fromEntries(await a.subjectSections(id, 'agent', 'A1'))).toEqual({ alpha: { n: 1, period: '2026-10' }, beta: ['x'] });
    expect((await a.subjectSections(id, 'team', 'T-NONE')).size).toBe(0);
    // insert-only
    await expect(pool.query('delete from snapshot_sections where snapshot_id = $1', [id])).rejects.toThrow(/immutable/);
  });

  it('a failing computation stores nothing and is tried again; a bad subject key fails the same way', async () => {
    const id = await snapshot();
    const s = new ReportSectionsService(repo);
    let fail = true;
    s.register({
      section: 'gamma',
      compute: async () => {
        if (fail) throw new Error('data source down');
        return new Map([['org:', 1]]);
      },
    });
    await expect(s.ensure(id)).rejects.toThrow('data source down');
    expect(await rows(id)).toEqual([]);
    fail = false;
    await s.ensure(id);
    expect(await rows(id)).toEqual([{ section: 'gamma', subject_type: 'org', subject_id: '', data: 1 }]);

    const bad = new ReportSectionsService(repo);
    bad.register({ section: 'delta', compute: async () => new Map([['org:', 1], ['customer:C1', 2]]) });
    await expect(bad.ensure(id)).rejects.toThrow(/subject key "customer:C1"/);
    expect((await rows(id)).filter((r) => r.section === 'delta')).toEqual([]);
  });

  it('404 problem details for a snapshot that does not exist; names and duplicates are checked', async () => {
    const s = new ReportSectionsService(repo);
    s.register({ section: 'epsilon', compute: async () => new Map() });
    const err = await s.ensure(987654).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProblemException);
    expect((err as ProblemException).status).toBe(404);
    expect((err as ProblemException).detail).toBe('snapshot 987654 does not exist');
    expect(() => s.register({ section: 'epsilon', compute: async () => new Map() })).toThrow(/registered twice/);
    expect(() => s.register({ section: 'Bad Name', compute: async () => new Map() })).toThrow(/lower-case/);
    expect(s.sections()).toEqual(['epsilon']);
    // without providers there is nothing to do, whatever the snapshot
    await new ReportSectionsService(repo).ensure(987654);
  });

  it('the app registers the retention section', () => {
    expect(t.app.get(ReportSectionsService).sections()).toEqual(['retention']);
  });
});

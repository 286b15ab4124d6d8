import { mkdtempSync, rmSync, createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateDemoData } from '../../src/demo-data/demo-data.generator';
import { IMPORT_ORDER } from '../../src/imports/import-entities';
import { ImportsService } from '../../src/imports/imports.service';
import { KPI_CATALOGUE, KPI_KEYS } from '../../src/kpis/domain/kpi-catalogue';
import { KpiQueryService, type LivePeriod } from '../../src/kpis/kpi-query.service';
import { customerStateSql, subjectKey } from '../../src/kpis/kpi.repository';
import { PG_POOL } from '../../src/database/database.module';
import type { Pool } from 'pg';
import { ScorecardsService } from '../../src/scorecards/scorecards.service';
import { TemplatesService } from '../../src/scorecards/templates.service';
import { createTestApp, type TestApp } from '../support/test-app';

/**
 * Invariants on a generated organisation (demo generator, 3-level hierarchy, moves,
 * reassignments, churn, complaints): whatever the data, these must hold for every subject.
 */
describe('KPI invariants on generated data', () => {
  let t: TestApp;
  let live: LivePeriod;
  const dir = mkdtempSync(path.join(tmpdir(), 'ys-inv-'));
  const additive = ['tickets_resolved', 'survey_responses', 'training_hours', 'revenue', 'gross_margin'] as const;

  beforeAll(async () => {
    await generateDemoData({ out: dir, agents: 40, customers: 3000, months: 14, seed: 'invariants', endMonth: '2026-09' });
    t = await createTestApp();
    const imports = t.app.get(ImportsService);
    for (const e of IMPORT_ORDER) await imports.importStream(e, createReadStream(path.join(dir, `${e}.csv`)), { source: e });
    live = await t.app.get(KpiQueryService).live('2026-09');
  }, 120_000);
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const teams = () => [...live.subjects.values()].filter((s) => s.subject.type === 'team');
  const agents = () => [...live.subjects.values()].filter((s) => s.subject.type === 'agent');
  const num = (v: unknown) => v as number;

  it('every customer is active or not on s0 and s1 — never null, also without a single order', async () => {
    const pool = t.app.get<Pool>(PG_POOL);
    const { rows } = await pool.query<{ n: number; undecided: number }>(
      `with s as (${customerStateSql({ firstDay: `'2026-09-01'`, s0: `'2026-08-31'`, s1: `'2026-09-30'`, defaultMarginRate: `'0.3'`, inactivityDays: '180' })})
       select count(*)::int as n,
              count(*) filter (where active_s0 is null or active_s1 is null)::int as undecided
         from s`,
    );
    expect(rows[0]!.n).toBeGreaterThan(1000);
    expect(rows[0]!.undecided).toBe(0);
  });

  it('has a real hierarchy and activity to check', () => {
    expect(teams().length).toBeGreaterThanOrEqual(3);
    expect(num(live.subjects.get('org:')!.kpis.tickets_resolved.value)).toBeGreaterThan(50);
    expect(num(live.subjects.get('org:')!.kpis.active_customers.value)).toBeGreaterThan(100);
  });

  it('ticket, survey and training figures of the organisation equal the sum over top-level teams', () => {
    const org = live.subjects.get('org:')!.kpis;
    const top = teams().filter((s) => s.subject.teamId === null);
    for (const key of ['tickets_resolved', 'survey_responses', 'training_hours'] as const) {
      const sum = top.reduce((acc, s) => acc + num(s.kpis[key].value), 0);
      expect(sum).toBeCloseTo(num(org[key].value), 6);
    }
    for (const key of ['first_contact_resolution', 'complaint_rate', 'csat'] as const) {
      expect(top.reduce((a, s) => a + (s.kpis[key].numerator ?? 0), 0)).toBe(org[key].numerator);
      expect(top.reduce((a, s) => a + (s.kpis[key].denominator ?? 0), 0)).toBe(org[key].denominator);
    }
  });

  it('a team’s portfolio figures equal the sum over the agents whose current team is in its subtree', () => {
    const children = new Map<string, string[]>();
    for (const s of teams()) if (s.subject.teamId) children.set(s.subject.teamId, [...(children.get(s.subject.teamId) ?? []), s.subject.id!]);
    const subtree = (id: string): string[] => [id, ...(children.get(id) ?? []).flatMap(subtree)];
    for (const team of teams()) {
      const members = new Set(subtree(team.subject.id!));
      const mine = agents().filter((a) => members.has(a.subject.teamId!));
      for (const key of ['active_customers', 'revenue'] as const) {
        expect(mine.reduce((acc, a) => acc + num(a.kpis[key].value), 0)).toBeCloseTo(num(team.kpis[key].value), 6);
      }
      expect(mine.reduce((acc, a) => acc + (a.kpis.customer_retention_rate.denominator ?? 0), 0)).toBe(team.kpis.customer_retention_rate.denominator);
    }
  });

  it('retention + churn = 100 and every percentage stays within its range', () => {
    for (const { kpis } of live.subjects.values()) {
      const r = kpis.customer_retention_rate.value as number | null;
      const c = kpis.churn_rate.value as number | null;
      expect(r === null).toBe(c === null);
      if (r !== null) expect(r + c!).toBeCloseTo(100, 9);
      for (const key of KPI_KEYS) {
        const v = kpis[key].value;
        if (typeof v !== 'number') continue;
        if (key === 'nps') expect(Math.abs(v)).toBeLessThanOrEqual(100);
        else if (KPI_CATALOGUE[key].unit === '%') expect(v >= 0 && v <= 100).toBe(true);
        if (kpis[key].denominator !== null && kpis[key].denominator! > 0 && KPI_CATALOGUE[key].kind === 'percentage') {
          expect(v).toBe((100 * kpis[key].numerator!) / kpis[key].denominator!);
        }
      }
      for (const key of additive) expect(kpis[key].value as number).toBeGreaterThanOrEqual(0);
    }
  });

  it('every scorecard score stays within 0…cap, composite too; ranks are a competition ranking', async () => {
    const template = await t.app.get(TemplatesService).current();
    const cards = t.app.get(ScorecardsService).build(live, template, { status: 'live', version: null });
    expect(cards.size).toBeGreaterThan(10);
    const byTeam = new Map<string, number[]>();
    for (const card of cards.values()) {
      for (const k of card.kpis) if (k.score !== null) expect(k.score >= 0 && k.score <= 120).toBe(true);
      if (card.composite_score !== null) expect(card.composite_score >= 0 && card.composite_score <= 120).toBe(true);
      expect(card.coverage >= 0 && card.coverage <= 1).toBe(true);
      if (card.subject.type === 'agent' && card.rank !== null) {
        const team = live.subjects.get(subjectKey('agent', card.subject.id))!.subject.teamId!;
        byTeam.set(team, [...(byTeam.get(team) ?? []), card.rank]);
      }
    }
    for (const ranks of byTeam.values()) {
      ranks.sort((a, b) => a - b);
      expect(ranks[0]).toBe(1);
      ranks.forEach((r, i) => expect(r).toBeLessThanOrEqual(i + 1));
    }
  });
});

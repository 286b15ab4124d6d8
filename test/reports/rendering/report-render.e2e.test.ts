import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Pool } from 'pg';
import { systemClock } from '../../../src/common/clock';
import { ProblemException } from '../../../src/common/problem-details';
import { seedDemoFeedback } from '../../../src/feedback/feedback-demo';
import { ImportsService } from '../../../src/imports/imports.service';
import { KPI_CATALOGUE, KPI_KEYS } from '../../../src/kpis/domain/kpi-catalogue';
import { formatKpiValue } from '../../../src/reports/domain/report-format';
import { RenderPool } from '../../../src/reports/rendering/render-pool';
import { ReportDataService } from '../../../src/reports/report-data.service';
import { ReportRenderService } from '../../../src/reports/report-render.service';
import { RetentionService } from '../../../src/retention/retention.service';
import { bearer, defaultFormId, makeAudit } from '../../audits/audit-helpers';
import { importFixture } from '../../support/fixtures';
import { createTestApp, type TestApp } from '../../support/test-app';

/**
 * Real PDFs from a real published snapshot of the golden fixture kpi/basic (period 2026-10,
 * values worked out in test/fixtures/kpi/basic/README.md), plus 王小明 (A6, T-E1, no data),
 * two mystery-shopper audits of A1 (one disputed) and the demo 360 cycle of A1.
 *
 * Template "Golden" (as test/scorecards/scorecards-publish.test.ts): retention (customer, w 2,
 * 50 → 100), FCR (internal, w 1, 0 → 50), complaint_rate (customer, w 1, 60 → 0),
 * training_hours (learning, w 1, 0 → 2).
 *  A1: composite (0·2 + 200/3 + 50/3 + 120) / 5 = 40.67 → "40.7"; rank 2 of 3 (A2 75, A6 unranked).
 *  A6 王小明: only training 0 → score 0 has a value: coverage 1/5 → INSUFFICIENT DATA.
 *
 * Audits of A1 (default form): 1) every answer yes / 5 → 100; 2) identity check "no" (critical)
 * → auto-fail 0, disputed by A1. mystery_shopper_score = (100 + 0) / 2 = 50.0.
 *
 * 360 (src/feedback/feedback-demo.ts, cycle closed 2026-10-20, FEEDBACK_MIN_RATERS 3):
 *  self 21/5 = 4.20; manager 20/5 = 4.00; peers: 3 answered, the Teamwork cell has 2 raters and is
 *  suppressed → (17 + 15 + 18)/12 = 4.17; direct reports (2) and customers (1) fold into others
 *  (3 raters), Teamwork again suppressed → (14 + 15 + 19)/12 = 4.00; feedback_360_score =
 *  (4.00 + 4.1667 + 4.00)/3 = 4.06.
 *
 * Retention section, frozen with the snapshot, as of 2026-10-31 (INACTIVITY_DAYS 180): too few
 * repeat customers for the predictive models, so no tiers. Active customers and their owners on
 * d: C1, C2 (A1), C8 (A2), C4 (A3 from 2026-10-15), C6 (A5), C7 (none); C3 churned 2026-10-10.
 * At risk: only C8 — medium, "unhappy" (S4: csat 1, nps 0 on 2026-09-30, within (d − 90, d]).
 *  A1: 0 of 2 at risk. T-E1 (A1, A2, A6): 1 of 3, medium. Lost in October: C3 (owner A1 on
 *  2026-09-30), its last complaint K2 core_service_failure, controllable → T-E1: 1 lost,
 *  core service failure, controllable.
 */
describe('PDF scorecards from a published snapshot', () => {
  let t: TestApp;
  let hr: string;
  let render: ReportRenderService;
  let pool: Pool;
  let v1: number;
  let disputeId: number;
  const dir = mkdtempSync(path.join(tmpdir(), 'yardstick-reports-'));

  const pdfText = (pdf: Buffer, name: string): string => {
    const file = path.join(dir, `${name}.pdf`);
    writeFileSync(file, pdf);
    return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  };
  const pdfPages = (pdf: Buffer, name: string): number => {
    const file = path.join(dir, `${name}.pdf`);
    writeFileSync(file, pdf);
    return Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }))![1]);
  };
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  /** The lines of a PDF's text (pdftotext -layout keeps a table row on one line), spaces collapsed. */
  const linesOf = (text: string) => text.split('\n').map((l) => l.replace(/\s+/g, ' ').trim());
  /** The one KPI-table row of a KPI: '<#> <label> <value> …'. */
  const kpiRow = (lines: string[], label: string): string => {
    const hits = lines.filter((l) => /^\d+ /.test(l) && l.replace(/^\d+ /, '').startsWith(`${label} `));
    if (hits.length !== 1) throw new Error(`${hits.length} KPI rows of ${JSON.stringify(label)}:\n${hits.join('\n')}`);
    return hits[0];
  };

  beforeAll(async () => {
    // audits need a clock after October 2026; the 360 demo cycle runs on its own clock
    jest.spyOn(systemClock, 'now').mockImplementation(() => new Date('2026-11-10T12:00:00.000Z'));
    t = await createTestApp({ ORG_TIMEZONE: 'UTC' });
    render = t.app.get(ReportRenderService);
    pool = new Pool({ connectionString: t.databaseUrl, max: 2 });
    await importFixture(t.app, 'kpi/basic');
    await t.app.get(ImportsService).importStream(
      'agents',
      Readable.from(['agent_id,name,email,team_id,title,hired_on,left_on\nA6,王小明,wang@example.com,T-E1,,2025-01-01,\n']),
      { source: 'a6.csv' },
    );
    hr = await t.login('hr');
    await t.http
      .post('/api/v1/scorecard-templates')
      .set(bearer(hr))
      .send({
        name: 'Golden',
        is_default: true,
        kpis: [
          { key: 'customer_retention_rate', perspective: 'customer', weight: 2, floor: 50, target: 100 },
          { key: 'first_contact_resolution', perspective: 'internal_process', weight: 1, floor: 0, target: 50 },
          { key: 'complaint_rate', perspective: 'customer', weight: 1, floor: 60, target: 0 },
          { key: 'training_hours', perspective: 'learning_growth', weight: 1, floor: 0, target: 2 },
        ],
      })
      .expect(201);

    const auditor = await t.login('auditor');
    const agentA1 = await t.login('agent', { agentId: 'A1', email: 'a1@test.yardstick' });
    await t.login('team_lead', { teamIds: ['T-E1'], email: 'lead@test.yardstick' });
    const formId = await defaultFormId(t, auditor);
    await makeAudit(t, auditor, formId, { agent: 'A1', visited: '2026-10-05T09:00:00Z' });
    const failed = await makeAudit(t, auditor, formId, { agent: 'A1', visited: '2026-10-20T15:30:00Z', channel: 'chat', values: { identity_check: 'no' } });
    const d = await t.http.post(`/api/v1/audits/${failed.audit_id}/disputes`).set(bearer(agentA1)).send({ reason: 'the caller had verified by app' }).expect(201);
    disputeId = d.body.dispute_id;
    await seedDemoFeedback(t.app, { endMonth: '2026-10', agentEmail: 'a1@test.yardstick', leadEmail: 'lead@test.yardstick' });

    const pub = await t.http.post('/api/v1/periods/2026-10/publish').set(bearer(hr)).send({}).expect(201);
    expect(pub.body.version).toBe(1);
    v1 = (await pool.query<{ id: number }>("select id from period_snapshots where period = '2026-10' and version = 1")).rows[0].id;
  });

  afterAll(async () => {
    await pool.end();
    await t.close();
    rmSync(dir, { recursive: true, force: true });
    jest.restoreAllMocks();
  });

  it('agent A1: name, team, every KPI label and value as rounded for display, marks, evaluations, page numbers', async () => {
    const pdf = await render.renderAgent(v1, 'A1');
    const text = pdfText(pdf, 'a1');
    const flat = text.replace(/\s+/g, ' ');
    const lines = linesOf(text);
    // page 3: customers at risk, then the KPI definitions
    expect(pdfPages(pdf, 'a1')).toBe(3);
    for (const s of ['Agent scorecard', 'Ana Silva', 'Ana Silva (A1)', '华东一组 (T-E1)', 'October 2026 (2026-10)', 'Golden (version 1)', 'version 1, published']) expect(flat).toContain(s);
    // composite, rank x of n, coverage
    expect(lines).toContain('40.7 2 of 3'); // composite, rank in team
    expect(lines).toContain('100% 66.2'); // coverage, team composite
    // every KPI of the snapshot by its label
    for (const key of KPI_KEYS) expect(flat).toContain(KPI_CATALOGUE[key].label);
    // values worked out by hand in the fixture's README, as rounded for display
    const row = (label: string, value: string) => expect(kpiRow(lines, label).replace(/^\d+ /, '')).toMatch(new RegExp(`^${label.replace(/[()]/g, '\\$&')} ${value.replace(/[.()]/g, '\\$&')}( |$)`));
    row('Customer retention', '50.0%');
    row('Churn', '50.0%');
    row('Repeat purchase rate', '100.0%');
    row('Revenue', '50.00');
    row('Gross margin', '15.00');
    row('Active customers', '2');
    row('Historic CLV (avg)', '67.50');
    row('Tickets resolved', '3');
    row('First-contact resolution', '33.3%');
    row('Avg handle time', '450 s');
    row('First response (median)', '82.5 min');
    row('First response (p90)', '112.5 min');
    row('Complaint rate', '50.0%');
    row('First-response SLA', '50.0%');
    row('Resolution SLA', '66.7%');
    row('Complaints by category', '1 complaints');
    row('CSAT', '50.0%');
    row('NPS', '0');
    row('Customer effort (avg)', '2.00');
    row('Survey responses', '2');
    row('Mystery shopper score', '50.0');
    row('360 feedback score', '4.06');
    row('Training hours', '2.5 h');
    row('Controllable churn share', '100.0%');
    // the KPIs computed by other capabilities: as the snapshot holds them, rounded the same way
    const kpis = (await pool.query<{ kpis: Record<string, { value: number | null }> }>("select kpis from snapshot_subjects where snapshot_id = $1 and subject_type = 'agent' and subject_id = 'A1'", [v1])).rows[0].kpis;
    for (const key of ['clv_predicted_avg', 'at_risk_customers', 'win_back_rate'] as const) row(KPI_CATALOGUE[key].label, formatKpiValue(key, kpis[key].value));
    // scores and RAG of the template KPIs (scorecards-publish.test.ts): retention 0 red, FCR 66.7 red, complaints 16.7 red, training 120 green
    // (value, weight, target, score, RAG, change vs previous month and vs a year ago, n)
    expect(kpiRow(lines, 'Customer retention')).toBe('1 Customer retention 50.0% 2 100.0% 0.0 red ±0.0 pp -50.0 pp 2 low');
    expect(kpiRow(lines, 'First-contact resolution')).toMatch(/^3 First-contact resolution 33\.3% 1 50\.0% 66\.7 red .* 3 low$/);
    expect(kpiRow(lines, 'Complaint rate')).toMatch(/^2 Complaint rate 50\.0% 1 0\.0% 16\.7 red .* 2 low$/);
    expect(kpiRow(lines, 'Training hours')).toMatch(/^4 Training hours 2\.5 h 1 2\.0 h 120\.0 green .* 1 low$/);
    // footnotes with numerator and denominator
    expect(flat).toContain('Customers kept 1 / customers at start 2.');
    expect(flat).toContain('Resolved at first contact 1 / tickets resolved 3.');
    expect(flat).toContain('Handle seconds 900 / tickets with a handle time 2.');
    // evaluations: the disputed audit is marked, the 360 shows group means only
    expect(flat).toContain('DISPUTED');
    expect(flat).toContain('2 audits, mean score 50.0, 1 auto-fail, 1 disputed');
    expect(lines).toContain('2026-10-05 phone Service audit (phone / chat) v1 100.0 final');
    expect(lines.find((l) => l.startsWith('2026-10-20'))).toMatch(/^2026-10-20 chat Service audit \(phone \/ chat\) v1 0\.0 auto-fail: Verifies the customer.s DISPUTED$/);
    expect(flat).toContain('identity before discussing account details');
    expect(flat).toMatch(/Self 1 4\.20 shown/);
    expect(flat).toMatch(/Manager 1 4\.00 shown/);
    expect(flat).toMatch(/Peers 3 4\.17 shown/);
    expect(flat).toMatch(/Direct reports – – folded into others/);
    expect(flat).toMatch(/Others \(folded\) 3 4\.00 shown/);
    expect(flat).toContain('360 feedback score 4.06');
    expect(flat).not.toContain('INSUFFICIENT DATA');
    for (const p of [1, 2, 3]) expect(flat).toContain(`page ${p} of 3`);
    // no rater comment ever reaches the report
    expect(flat).not.toContain('Always willing to help');
    // customers at risk as of the period's last day (frozen with the snapshot); no tiers: too few repeat customers
    expect(flat).toContain('Customers at risk');
    expect(flat).toContain('As of 2026-10-31, the last day of October 2026: 0 of 2 active customers owned by the agent at risk (0 high, 0 medium).');
    expect(flat).toMatch(/No tiers: fewer than 50 repeat customers \(\d+\) as of 2026-10-31/);
    expect(lines).toContain('Risk No tier Total');
    expect(lines).toContain('High 0 0');
    expect(lines).toContain('Medium 0 0');
    expect(lines).toContain('At risk 0 0');
    expect(flat).toContain('Win-back tasks: 0 opened in October 2026; 0 of 0 whose confirmation window ended in October 2026 confirmed by an order.');
    expect(flat).not.toContain('Churn reasons');
  });

  it('CJK and mixed names extract correctly; insufficient data is marked', async () => {
    const a6 = pdfText(await render.renderAgent(v1, 'A6'), 'a6').replace(/\s+/g, ' ');
    expect(a6).toContain('王小明 (A6)');
    expect(a6).toContain('INSUFFICIENT DATA');
    expect(a6).toContain('the scorecard is not ranked');
    expect(a6).toMatch(/0\.0 not ranked/);
    expect(a6).not.toContain('DISPUTED');
    const a2 = pdfText(await render.renderAgent(v1, 'A2'), 'a2').replace(/\s+/g, ' ');
    expect(a2).toContain('Li Wei 李伟 (A2)');
    expect(a2).toMatch(/75\.0 1 of 3/);
  });

  it('team reports: ranking with RAG cells, sub-teams, page count', async () => {
    const pdf = await render.renderTeam(v1, 'T-E1');
    const flat = pdfText(pdf, 'te1').replace(/\s+/g, ' ');
    // page 4: customers at risk, churn reasons, then the KPI definitions
    expect(pdfPages(pdf, 'te1')).toBe(4);
    expect(flat).toContain('Team scorecard');
    expect(flat).toContain('华东一组 (T-E1)');
    expect(flat).toContain('East 华东 (T-EAST)');
    // A2 75 first, A1 40.7 second, A6 unranked
    expect(flat).toMatch(/1 Li Wei 李伟 \(A2\) 75\.0 .* 2 Ana Silva \(A1\) 40\.7 .* – 王小明 \(A6\) .* insufficient data/);
    expect(flat).toContain('The team has no sub-teams.');
    for (const key of KPI_KEYS) expect(flat).toContain(KPI_CATALOGUE[key].label);
    // the subtree's customers at risk and the customers lost in October by churn reason
    const lines = linesOf(pdfText(pdf, 'te1'));
    expect(flat).toContain("As of 2026-10-31, the last day of October 2026: 1 of 3 active customers owned by the team's agents (sub-teams included) at risk (0 high, 1 medium).");
    expect(lines).toContain('High 0 0');
    expect(lines).toContain('Medium 1 1');
    expect(lines).toContain('At risk 1 1');
    expect(flat).toContain('Churn reasons');
    expect(flat).toContain('Customers lost in October 2026: active on 2026-09-30, not on 2026-10-31.');
    expect(flat).toContain('1 customer lost: 1 controllable, 0 uncontrollable, 0 unknown.');
    expect(lines.some((l) => l.startsWith('core service failure 1 0 0 1'))).toBe(true);
    const east = pdfText(await render.renderTeam(v1, 'T-EAST'), 'teast').replace(/\s+/g, ' ');
    expect(east).toMatch(/Sub-teams .*华东一组 \(T-E1\)/);
    expect(east).toContain('Bo Chen (A3)');
  });

  it('deterministic: same bytes twice, in a worker process as inline, and after later changes', async () => {
    // the app's pool renders in worker processes (RENDER_CONCURRENCY 2)
    const first = await render.renderAgent(v1, 'A1');
    expect(sha(await render.renderAgent(v1, 'A1'))).toBe(sha(first));
    const inline = new RenderPool(0);
    expect(sha(await inline.render(await render.agentView(v1, 'A1')))).toBe(sha(first));
    expect(sha(await inline.render(await render.teamView(v1, 'T-E1')))).toBe(sha(await render.renderTeam(v1, 'T-E1')));
    // creation date and producer come from the snapshot, not the clock
    const created = (await pool.query<{ c: string }>("select to_char(created_at at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') as c from period_snapshots where id = $1", [v1])).rows[0].c;
    writeFileSync(path.join(dir, 'info.pdf'), first);
    const info = execFileSync('pdfinfo', ['-isodates', path.join(dir, 'info.pdf')], { encoding: 'utf8' });
    expect(info).toMatch(new RegExp(`CreationDate:\\s+${created}Z`));
    expect(info).toMatch(/Producer:\s+Yardstick/);

    // the dispute is upheld (audit voided) after v1: the period is published again (v2).
    // v1 re-renders to the same bytes; v2 no longer shows the voided audit.
    const v1Created = (await pool.query<{ c: Date }>('select created_at as c from period_snapshots where id = $1', [v1])).rows[0].c;
    (systemClock.now as jest.Mock).mockImplementation(() => new Date(v1Created.getTime() + 1));
    const manager = await t.login('manager');
    await t.http.post(`/api/v1/disputes/${disputeId}/resolve`).set(bearer(manager)).send({ outcome: 'upheld', action: 'void', note: 'verified by app' }).expect(200);
    const v2 = (await pool.query<{ id: number }>("select id from period_snapshots where period = '2026-10' and version = 2")).rows[0]?.id;
    expect(v2).toBeDefined();
    expect(sha(await render.renderAgent(v1, 'A1'))).toBe(sha(first));
    const later = pdfText(await render.renderAgent(v2, 'A1'), 'a1v2').replace(/\s+/g, ' ');
    expect(later).not.toContain('DISPUTED');
    expect(later).toContain('1 audit, mean score 100.0, 0 auto-fails');
    expect(later).toContain('1 voided audit does not count.');
    expect(later).toContain('version 2, published');
  });

  it('trends take, for each earlier month, the latest version published by the time of the snapshot', async () => {
    const data = t.app.get(ReportDataService);
    const before = await data.agent(v1, 'A1');
    expect(before.trend.agent.periods).toEqual(['2025-11', '2025-12', '2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10']);
    expect(before.trend.agent.values.slice(0, 11)).toEqual(Array(11).fill(null));
    expect(before.trend.agent.values[11]!.composite).toBeCloseTo((250 / 3 + 120) / 5, 10);
    // September is published after v1: v1's trend does not change, a later version sees it
    await t.http.post('/api/v1/periods/2026-09/publish').set(bearer(hr)).send({}).expect(201);
    expect((await data.agent(v1, 'A1')).trend.agent.values[10]).toBeNull();
    await t.http.post('/api/v1/periods/2026-10/publish').set(bearer(hr)).send({ reason: 'after September' }).expect(201);
    const v3 = (await pool.query<{ id: number }>("select id from period_snapshots where period = '2026-10' order by version desc limit 1")).rows[0].id;
    const after = await data.agent(v3, 'A1');
    expect(after.trend.agent.values[10]).not.toBeNull();
    expect(after.trend.team!.values[10]).not.toBeNull();
  });

  it('customers at risk are frozen per snapshot: late data changes a new version, never a rendered one', async () => {
    const [a1, te1] = [await render.renderAgent(v1, 'A1'), await render.renderTeam(v1, 'T-E1')];
    const sectionRows = async (id: number) =>
      (await pool.query<{ n: number }>("select count(*)::int as n from snapshot_sections where snapshot_id = $1 and section = 'retention'", [id])).rows[0].n;
    // computed once, when v1 was first rendered: agents A1–A6, teams T-E1, T-EAST, T-ROOT, T-W1, the organisation
    expect(await sectionRows(v1)).toBe(6 + 4 + 1);
    await expect(pool.query("update snapshot_sections set data = '{}' where snapshot_id = $1", [v1])).rejects.toThrow(/immutable/);

    // two late complaints of C1 (A1) in October: rising complaints (2 in (d − 90, d], none before) — C1 at risk as of 2026-10-31
    await t.app.get(ImportsService).importStream(
      'tickets',
      Readable.from([
        'ticket_id,customer_id,agent_id,team_id,channel,category,opened_at,first_response_at,resolved_at,contact_count,reopened,handle_seconds,is_complaint,complaint_category,complaint_controllable\n' +
          'K90,C1,A1,,phone,late,2026-10-20T10:00:00Z,,,1,false,,true,pricing,true\n' +
          'K91,C1,A1,,phone,late,2026-10-25T10:00:00Z,,,1,false,,true,pricing,false\n',
      ]),
      { source: 'late-tickets.csv' },
    );
    const { list } = await t.app.get(RetentionService).subjectList('2026-10-31', { type: 'agent', id: 'A1' });
    expect(list.tally().by_level).toEqual({ high: 0, medium: 1, low: 1 }); // the list of today has changed…
    // …the PDFs of v1 have not: the same bytes, from the same stored rows
    expect(sha(await render.renderAgent(v1, 'A1'))).toBe(sha(a1));
    expect(sha(await render.renderTeam(v1, 'T-E1'))).toBe(sha(te1));
    expect(await sectionRows(v1)).toBe(11);

    // a new version (publish with a reason) shows the new counts
    const latest = (await pool.query<{ c: Date }>('select max(created_at) as c from period_snapshots')).rows[0].c;
    (systemClock.now as jest.Mock).mockImplementation(() => new Date(latest.getTime() + 1000));
    const pub = await t.http.post('/api/v1/periods/2026-10/publish').set(bearer(hr)).send({ reason: 'late complaints' }).expect(201);
    const vn = (await pool.query<{ id: number }>("select id from period_snapshots where period = '2026-10' and version = $1", [pub.body.version])).rows[0].id;
    const agent = pdfText(await render.renderAgent(vn, 'A1'), 'a1-late').replace(/\s+/g, ' ');
    expect(agent).toContain(`version ${pub.body.version}, published`);
    expect(agent).toContain('As of 2026-10-31, the last day of October 2026: 1 of 2 active customers owned by the agent at risk (0 high, 1 medium).');
    const team = pdfText(await render.renderTeam(vn, 'T-E1'), 'te1-late').replace(/\s+/g, ' ');
    expect(team).toContain("2 of 3 active customers owned by the team's agents (sub-teams included) at risk (0 high, 2 medium).");
    expect(sha(await render.renderAgent(v1, 'A1'))).toBe(sha(a1));
  });

  it('404 problem details for a missing snapshot, subject or scorecard', async () => {
    const notFound = async (p: Promise<unknown>, detail: RegExp) => {
      const err = await p.then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(ProblemException);
      expect((err as ProblemException).status).toBe(404);
      expect((err as ProblemException).detail).toMatch(detail);
    };
    await notFound(render.renderAgent(999999, 'A1'), /snapshot 999999 does not exist/);
    await notFound(render.renderAgent(v1, 'NOPE'), /agent "NOPE" is not part of snapshot/);
    await notFound(render.renderAgent(v1, 'A5'), /agent "A5" has no scorecard/);
    await notFound(render.renderTeam(v1, 'T-NOPE'), /team "T-NOPE" is not part of snapshot/);
    await notFound(render.renderTeam(v1, 'A1'), /team "A1" is not part of snapshot/);
  });
});

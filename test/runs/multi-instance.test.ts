/**
 * Issue 6, "Schedule and runs": three real service processes against one database, the
 * monthly cron firing in all three (every 2 s here), one run, each PDF once, each mail once;
 * then a forced rerun during which one instance is SIGKILLed mid-run: the run still
 * completes with nothing missing or doubled.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { generateDemoData } from '../../src/demo-data/demo-data.generator';
import { IMPORT_ORDER } from '../../src/imports/import-entities';
import { ImportsService } from '../../src/imports/imports.service';
import { createReadStream } from 'node:fs';
import { startSmtp, type TestSmtp } from '../delivery/delivery-fixtures';
import { createTestApp, type TestApp } from '../support/test-app';
import { query, startInstance, stopInstance, waitFor, type Instance } from './run-support';

jest.setTimeout(300_000);

const PERIOD = '2026-10';
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let t: TestApp;
let smtp: TestSmtp;
let reportsDir: string;
let dataDir: string;
const instances: Instance[] = [];
let hrEmail: string;
let leadEmail: string;
let agentEmail: string;
let agentId: string;
let leadTeam: string;

interface ReportRow extends Record<string, unknown> {
  id: number;
  subject_type: string;
  subject_id: string;
  team_id: string | null;
  path: string;
  sha256: string;
  snapshot_id: number;
  snapshot_version: number;
}

beforeAll(async () => {
  smtp = await startSmtp();
  reportsDir = mkdtempSync(path.join(tmpdir(), 'ys-runs-reports-'));
  dataDir = mkdtempSync(path.join(tmpdir(), 'ys-runs-data-'));
  t = await createTestApp({ REPORTS_DIR: reportsDir, SMTP_URL: smtp.url });
  await generateDemoData({ out: dataDir, agents: 36, customers: 1500, months: 14, seed: 'runs', endMonth: PERIOD });
  const imports = t.app.get(ImportsService);
  for (const entity of IMPORT_ORDER) {
    await imports.importStream(entity, createReadStream(path.join(dataDir, `${entity}.csv`)), { source: entity, importedBy: 'test' });
  }
  // a mid-level team (it has a parent and children) for the team lead, an agent with a scorecard for "self"
  const [team] = await query<{ team_id: string }>(
    t.databaseUrl,
    `select t.team_id from teams t where t.parent_team_id is not null and exists (select 1 from teams c where c.parent_team_id = t.team_id) order by t.team_id limit 1`,
  );
  leadTeam = team!.team_id;
  const [agent] = await query<{ agent_id: string }>(
    t.databaseUrl,
    `select agent_id from agents where hired_on <= '2026-10-31' and (left_on is null or left_on >= '2026-10-01') order by agent_id limit 1`,
  );
  agentId = agent!.agent_id;
  hrEmail = 'hr.runs@test.yardstick';
  leadEmail = 'lead.runs@test.yardstick';
  agentEmail = 'agent.runs@test.yardstick';
  const hr = await t.login('hr', { email: hrEmail });
  const lead = await t.login('team_lead', { email: leadEmail, teamIds: [leadTeam] });
  const ag = await t.login('agent', { email: agentEmail, agentId });
  await t.http.post('/api/v1/subscriptions').set('Authorization', `Bearer ${hr}`).send({ scope: 'org' }).expect(201);
  await t.http.post('/api/v1/subscriptions').set('Authorization', `Bearer ${lead}`).send({ scope: 'team', team_id: leadTeam }).expect(201);
  await t.http.post('/api/v1/subscriptions').set('Authorization', `Bearer ${ag}`).send({ scope: 'self' }).expect(201);

  const env = {
    DATABASE_URL: t.databaseUrl,
    JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
    REPORTS_DIR: reportsDir,
    SMTP_URL: smtp.url,
    MONTHLY_RUN_CRON: '*/2 * * * * *',
    ORG_TIMEZONE: 'UTC',
    LOG_LEVEL: 'debug',
    RENDER_CONCURRENCY: '1',
    MAIL_RETRY_BASE_MS: '200',
  };
  for (const name of ['a', 'b', 'c']) instances.push(await startInstance(name, env));
});

afterAll(async () => {
  await Promise.all(instances.map((i) => stopInstance(i)));
  await t?.close();
  await smtp?.close();
  rmSync(reportsDir, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

/** Every team in `root`'s subtree. */
async function subtree(root: string): Promise<Set<string>> {
  const rows = await query<{ team_id: string }>(
    t.databaseUrl,
    `with recursive sub as (select team_id from teams where team_id = $1
                            union all select c.team_id from teams c join sub on c.parent_team_id = sub.team_id)
     select team_id from sub`,
    [root],
  );
  return new Set(rows.map((r) => r.team_id));
}

async function expectedSubjects(snapshotId: number): Promise<string[]> {
  const rows = await query<{ k: string }>(
    t.databaseUrl,
    `select subject_type || ':' || subject_id as k from snapshot_subjects
      where snapshot_id = $1 and ((subject_type = 'agent' and scorecard is not null) or subject_type = 'team') order by 1`,
    [snapshotId],
  );
  return rows.map((r) => r.k);
}

async function checkReports(snapshotId: number): Promise<ReportRow[]> {
  const reports = await query<ReportRow>(t.databaseUrl, 'select id, subject_type, subject_id, team_id, path, sha256, snapshot_id, snapshot_version from reports where snapshot_id = $1', [snapshotId]);
  const keys = reports.map((r) => `${r.subject_type}:${r.subject_id}`).sort();
  expect(keys).toEqual(await expectedSubjects(snapshotId)); // every subject, each exactly once
  for (const r of reports) expect(sha(readFileSync(path.join(reportsDir, r.path)))).toBe(r.sha256);
  return reports;
}

/** The attachment file names each subscriber must receive for this snapshot (bursting). */
async function expectedAttachments(reports: ReportRow[]): Promise<Map<string, string[]>> {
  const teams = await subtree(leadTeam);
  const agentsOfTeams = new Set(
    (await query<{ agent_id: string }>(t.databaseUrl, 'select agent_id from agents where team_id = any($1::text[])', [[...teams]])).map((r) => r.agent_id),
  );
  // the attachment names of the mails: <period>_<agent|team>_<id>_v<version>.pdf
  const name = (r: ReportRow) => `${PERIOD}_${r.subject_type}_${r.subject_id}_v${r.snapshot_version}.pdf`;
  return new Map([
    [hrEmail, reports.map(name).sort()],
    [leadEmail, reports.filter((r) => (r.subject_type === 'team' ? teams.has(r.subject_id) : agentsOfTeams.has(r.subject_id))).map(name).sort()],
    [agentEmail, reports.filter((r) => r.subject_type === 'agent' && r.subject_id === agentId).map(name)],
  ]);
}

function mailsTo(email: string) {
  return smtp.received.filter((m) => m.rcptTo.includes(email));
}

it('runs the month once although the cron fires in all three instances: each PDF once, each mail once', async () => {
  const run = await waitFor('the cron-started run to succeed', async () => {
    const rows = await query<{ id: number; status: string; error: string | null }>(t.databaseUrl, 'select id, status, error from runs where period = $1', [PERIOD]);
    if (rows.some((r) => r.status === 'failed')) throw new Error(`run failed: ${rows.find((r) => r.status === 'failed')!.error}`);
    return rows.find((r) => r.status === 'succeeded');
  }, 180_000, 250);
  await sleep(5_000); // more cron ticks in every instance: still one run, no new work
  const runs = await query<{ id: number; trigger: string; snapshot_id: number; progress_done: number; progress_total: number }>(
    t.databaseUrl,
    'select id, trigger, snapshot_id, progress_done, progress_total from runs where period = $1',
    [PERIOD],
  );
  expect(runs).toHaveLength(1);
  expect(runs[0]!).toMatchObject({ id: run.id, trigger: 'cron' });
  expect(runs[0]!.progress_done).toBe(runs[0]!.progress_total);
  expect(await query(t.databaseUrl, 'select version from period_snapshots where period = $1', [PERIOD])).toEqual([{ version: 1 }]);

  const reports = await checkReports(runs[0]!.snapshot_id);
  expect(reports.length).toBeGreaterThan(30);
  // the render jobs spread over the instances
  const renderedBy = instances.map((i) => i.log.filter((l) => l.includes(`of run ${run.id} (`) && l.includes('rendered ')).length);
  expect(renderedBy.reduce((a, b) => a + b, 0)).toBe(reports.length);
  expect(renderedBy.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);

  // each subscriber got exactly one mail with exactly the PDFs of their scope
  const expected = await expectedAttachments(reports);
  for (const [email, files] of expected) {
    const mails = mailsTo(email);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.mail.subject).toContain(PERIOD);
    expect(mails[0]!.mail.attachments.map((a) => a.filename).sort()).toEqual(files);
  }
  expect(smtp.received).toHaveLength(3);
});

it('completes a forced rerun with nothing missing or doubled when an instance is killed mid-run', async () => {
  const admin = await t.login('admin');
  const started = await fetch(`${instances[0]!.url}/api/v1/periods/${PERIOD}/runs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ force: true }),
  });
  expect(started.status).toBe(202);
  const { run_id: runId, created } = (await started.json()) as { run_id: number; created: boolean };
  expect(created).toBe(true);

  // kill one instance while the run is rendering (some reports done, not all)
  await waitFor('rendering to be under way', async () => {
    const [r] = await query<{ progress_done: number; progress_total: number }>(t.databaseUrl, 'select progress_done, progress_total from runs where id = $1', [runId]);
    return r && r.progress_total > 0 && r.progress_done >= 2 ? r : undefined;
  }, 120_000, 20);
  const victim = instances[2]!;
  victim.proc.kill('SIGKILL');
  await victim.exited;
  const [atKill] = await query<{ progress_done: number; progress_total: number }>(t.databaseUrl, 'select progress_done, progress_total from runs where id = $1', [runId]);
  expect(atKill!.progress_done).toBeLessThan(atKill!.progress_total);

  const done = await waitFor('the forced run to finish', async () => {
    const [r] = await query<{ status: string; error: string | null; snapshot_id: number; snapshot_version: number }>(
      t.databaseUrl,
      'select status, error, snapshot_id, snapshot_version from runs where id = $1',
      [runId],
    );
    return r && (r.status === 'succeeded' || r.status === 'failed') ? r : undefined;
  }, 180_000, 250);
  expect(done.error).toBeNull();
  expect(done.status).toBe('succeeded');
  expect(done.snapshot_version).toBe(2);

  const reports = await checkReports(done.snapshot_id);
  expect(reports.every((r) => r.path.endsWith('-v2.pdf'))).toBe(true);
  // version 1's PDFs are kept
  const all = await query<{ n: number }>(t.databaseUrl, 'select count(*)::int as n from reports');
  expect(all[0]!.n).toBe(2 * reports.length);

  const expected = await expectedAttachments(reports);
  for (const [email, files] of expected) {
    const mails = mailsTo(email);
    expect(mails).toHaveLength(2); // one per run
    expect(mails[1]!.mail.attachments.map((a) => a.filename).sort()).toEqual(files);
  }
  expect(smtp.received).toHaveLength(6);
});

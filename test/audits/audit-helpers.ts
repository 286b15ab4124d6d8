import { systemClock } from '../../src/common/clock';
import type { AnswerValue } from '../../src/audits/domain/audit-scoring';
import { DEFAULT_FORM } from '../../src/audits/domain/default-form';
import { criteriaOf } from '../../src/audits/domain/audit-form';
import { importFixture } from '../support/fixtures';
import { createTestApp, type TestApp } from '../support/test-app';

/** "Now" for every audit test: 2026-11-10 12:00 UTC (October 2026, the fixture's month, has ended). */
export const NOW = new Date('2026-11-10T12:00:00.000Z');

/** Fixes the wall clock (every Clock in the app is systemClock) for the rest of the test file. */
export function fixClock(at: Date = NOW): void {
  jest.spyOn(systemClock, 'now').mockImplementation(() => new Date(at.getTime()));
}

/** The real app on the golden fixture kpi/basic (teams T-ROOT ⊃ {T-EAST ⊃ T-E1, T-W1}; agents A1–A5). */
export async function auditApp(): Promise<TestApp> {
  fixClock();
  const t = await createTestApp({ ORG_TIMEZONE: 'UTC' });
  await importFixture(t.app, 'kpi/basic');
  return t;
}

/** Answer values by criterion id (anything, so that tests can send invalid ones). */
export type Values = Partial<Record<string, AnswerValue | number | string | null>>;

/** Answers to the default form: yes / 5 everywhere, N/A nowhere, unless overridden. */
export function defaultAnswers(over: Values = {}): { criterion_id: string; value: unknown; note?: string }[] {
  return criteriaOf(DEFAULT_FORM).map((c) => ({ criterion_id: c.id, value: c.id in over ? over[c.id] : c.type === 'yes_no' ? 'yes' : 5 }));
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** The seeded default form's id. */
export async function defaultFormId(t: TestApp, token: string): Promise<number> {
  const res = await t.http.get('/api/v1/audit-forms').set(bearer(token)).expect(200);
  const f = (res.body.forms as { form_id: number; seeded: boolean }[]).find((x) => x.seeded);
  if (!f) throw new Error('no seeded form');
  return f.form_id;
}

/** Creates (and by default finalises) an audit of the default form; returns its body. */
export async function makeAudit(
  t: TestApp,
  auditor: string,
  formId: number,
  opts: { agent: string; visited: string; values?: Values; finalize?: boolean; channel?: string },
): Promise<Record<string, any>> {
  const res = await t.http
    .post('/api/v1/audits')
    .set(bearer(auditor))
    .send({ agent_id: opts.agent, form_id: formId, form_version: 1, channel: opts.channel ?? 'phone', visited_at: opts.visited, answers: defaultAnswers(opts.values) });
  if (res.status !== 201) throw new Error(`create audit: ${res.status} ${JSON.stringify(res.body)}`);
  if (opts.finalize === false) return res.body;
  const fin = await t.http.post(`/api/v1/audits/${res.body.audit_id}/finalize`).set(bearer(auditor));
  if (fin.status !== 200) throw new Error(`finalize audit: ${fin.status} ${JSON.stringify(fin.body)}`);
  return fin.body;
}

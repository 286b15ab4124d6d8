import type { TestApp } from '../support/test-app';
import { auditApp, bearer, defaultAnswers, defaultFormId } from './audit-helpers';

/**
 * Calibration through the API: three auditors score the same recording with the default form
 * (Σ w = 22; greeting w 2, listening w 3 on a scale).
 *   ann: all yes / 5                       → 100
 *   bob: listening 3 (s 0.5)               → 100 × (22 − 1.5) / 22 = 93.18…
 *   cat: greeting no, listening 1 (s 0)    → 100 × (22 − 2 − 3) / 22 = 77.27…
 * greeting: yes, yes, no → agreement 2/3, pairwise 1/3; listening: 5, 3, 1 → mean 3, sd √(8/3).
 * Group means (points): greeting 200/3, listening 50, the other 9 criteria 100.
 * Deviations over 11 criteria: ann (100/3 + 50)/11, bob (100/3)/11, cat (−200/3 − 50)/11.
 * Mean score 100 × 59.5 / 66; ann's score deviation 100 − 5950/66.
 */
describe('calibration sessions', () => {
  let t: TestApp;
  let hr: string;
  let ann: string;
  let bob: string;
  let cat: string;
  let formId: number;
  let sessionId: number;

  const post = (url: string, token: string, body: object = {}) => t.http.post(url).set(bearer(token)).send(body);
  const put = (url: string, token: string, body: object) => t.http.put(url).set(bearer(token)).send(body);
  const get = (url: string, token: string) => t.http.get(url).set(bearer(token));

  beforeAll(async () => {
    t = await auditApp();
    hr = await t.login('hr');
    ann = await t.login('auditor', { email: 'ann@test.yardstick' });
    bob = await t.login('auditor', { email: 'bob@test.yardstick' });
    cat = await t.login('auditor', { email: 'cat@test.yardstick' });
    formId = await defaultFormId(t, hr);
  });
  afterAll(() => t.close());

  it('hr opens a session on an active form version', async () => {
    const bad = await post('/api/v1/calibration-sessions', hr, { title: 'x', form_id: formId, form_version: 3, channel: 'phone', interaction_ref: 'r', agent_id: 'ZZ' }).expect(422);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['form_version', 'agent_id']);
    const res = await post('/api/v1/calibration-sessions', hr, { title: 'Refund call', form_id: formId, form_version: 1, channel: 'phone', interaction_ref: 'recording-2026-10-14-0931', agent_id: 'A1' }).expect(201);
    expect(res.body).toMatchObject({ title: 'Refund call', status: 'open', scorings: 0, my_scoring: null, form: { form_id: formId, version: 1 }, agent_id: 'A1' });
    sessionId = res.body.session_id;
  });

  it('each auditor scores it (validated like an audit) and sees only their own scoring', async () => {
    const url = `/api/v1/calibration-sessions/${sessionId}/scores`;
    const bad = await put(url, ann, { answers: defaultAnswers({ greeting: 'na' }) }).expect(422);
    expect(bad.body.errors[0]).toMatchObject({ field: 'answers[0].value' });
    await put(url, ann, { answers: defaultAnswers({ listening: 2 }) }).expect(200);
    const fixed = await put(url, ann, { answers: defaultAnswers() }).expect(200); // changed while open
    expect(fixed.body).toMatchObject({ scorings: 1, my_scoring: { score: 100, auto_failed: false } });
    await put(url, bob, { answers: defaultAnswers({ listening: 3 }) }).expect(200);
    await put(url, cat, { answers: defaultAnswers({ greeting: 'no', listening: 1 }) }).expect(200);
    const seenByBob = await get(`/api/v1/calibration-sessions/${sessionId}`, bob).expect(200);
    expect(seenByBob.body).toMatchObject({ scorings: 3, my_scoring: { score: (100 * 20.5) / 22 } });
    const seenByHr = await get(`/api/v1/calibration-sessions/${sessionId}`, hr).expect(200);
    expect(seenByHr.body.my_scoring).toBeNull();
    await get(`/api/v1/calibration-sessions/${sessionId}/report`, bob).expect(403);
  });

  it('the report: spread per criterion, deviation per auditor', async () => {
    const r = (await get(`/api/v1/calibration-sessions/${sessionId}/report`, hr).expect(200)).body;
    expect(r.scorers).toBe(3);
    const c = Object.fromEntries(r.criteria.map((x: { criterion_id: string }) => [x.criterion_id, x]));
    expect(c.greeting).toMatchObject({ type: 'yes_no', counts: { yes: 2, no: 1, na: 0 }, sd: null });
    expect(c.greeting.agreement_rate).toBeCloseTo(2 / 3, 12);
    expect(c.greeting.pairwise_agreement).toBeCloseTo(1 / 3, 12);
    expect(c.listening).toMatchObject({ type: 'scale', mean: 3, agreement_rate: null, mean_points: 50 });
    expect(c.listening.sd).toBeCloseTo(Math.sqrt(8 / 3), 12);
    expect(c.courtesy).toMatchObject({ mean: 5, sd: 0 });
    expect(c.closing).toMatchObject({ agreement_rate: 1, pairwise_agreement: 1 });
    const a = Object.fromEntries(r.auditors.map((x: { auditor: string }) => [x.auditor, x]));
    expect(a['ann@test.yardstick'].criteria_compared).toBe(11);
    expect(a['ann@test.yardstick'].mean_deviation).toBeCloseTo((100 / 3 + 50) / 11, 10);
    expect(a['bob@test.yardstick'].mean_deviation).toBeCloseTo(100 / 3 / 11, 10);
    expect(a['cat@test.yardstick'].mean_deviation).toBeCloseTo((-200 / 3 - 50) / 11, 10);
    expect(a['cat@test.yardstick'].mean_absolute_deviation).toBeCloseTo((200 / 3 + 50) / 11, 10);
    expect(r.score.mean).toBeCloseTo((100 * 59.5) / 66, 10);
    expect(a['ann@test.yardstick'].score_deviation).toBeCloseTo(100 - (100 * 59.5) / 66, 10);
    expect(r.score).toMatchObject({ max: 100 });
    expect(r.score.min).toBeCloseTo((100 * 17) / 22, 10);
  });

  it('closing stops scoring; the summary pools sessions per auditor; calibration never counts in KPIs', async () => {
    await post(`/api/v1/calibration-sessions/${sessionId}/close`, hr).expect(200);
    await post(`/api/v1/calibration-sessions/${sessionId}/close`, hr).expect(409);
    await put(`/api/v1/calibration-sessions/${sessionId}/scores`, ann, { answers: defaultAnswers() }).expect(409);
    // a second session where ann and cat agree completely
    const s2 = (await post('/api/v1/calibration-sessions', hr, { title: 'Chat 2', form_id: formId, form_version: 1, channel: 'chat', interaction_ref: 'chat-88' }).expect(201)).body.session_id;
    await put(`/api/v1/calibration-sessions/${s2}/scores`, ann, { answers: defaultAnswers() }).expect(200);
    await put(`/api/v1/calibration-sessions/${s2}/scores`, cat, { answers: defaultAnswers() }).expect(200);
    const sum = (await get(`/api/v1/calibration-report?form_id=${formId}`, hr).expect(200)).body;
    expect(sum.sessions).toBe(2);
    const annSum = sum.auditors.find((x: { auditor: string }) => x.auditor === 'ann@test.yardstick');
    expect(annSum).toMatchObject({ sessions: 2, criteria_compared: 22 });
    expect(annSum.mean_deviation).toBeCloseTo((100 / 3 + 50) / 22, 10);
    const bobSum = sum.auditors.find((x: { auditor: string }) => x.auditor === 'bob@test.yardstick');
    expect(bobSum).toMatchObject({ sessions: 1, criteria_compared: 11 });
    const kpi = (await get('/api/v1/agents/A1/kpis?period=2026-10', hr).expect(200)).body.kpis.mystery_shopper_score;
    expect(kpi).toMatchObject({ value: null, denominator: 0 });
    const list = (await get('/api/v1/calibration-sessions', ann).expect(200)).body.sessions;
    expect(list.map((s: { session_id: number; status: string }) => [s.session_id, s.status])).toEqual([
      [s2, 'open'],
      [sessionId, 'closed'],
    ]);
    expect(list[1].my_scoring.score).toBe(100);
    const log = (await get('/api/v1/audit-log?entity_type=calibration_score', hr).expect(200)).body.entries;
    expect(log.map((e: { action: string }) => e.action)).toEqual(['create', 'create', 'create', 'create', 'edit', 'create']);
  });
});

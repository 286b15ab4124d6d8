import { importFixture } from '../support/fixtures';
import { createTestApp, type TestApp } from '../support/test-app';
import { allStrings, as, person, responseBody, setClock, type Person, type Rating } from './feedback-support';

/**
 * Adversarial tests of 360 anonymity: every attempt a reader (admin included) could make to
 * learn which rater of an anonymous group said what — differencing before and after one more
 * response, filtering, comments, counts, timestamps, error messages, admin powers.
 *
 * The guarantee tested (README, "360-degree feedback"):
 * 1. results, feedback_360_score and its drill-down exist only once a cycle has closed, and a
 *    closed cycle's responses never change — so there is exactly one set of results per
 *    cycle and nothing to difference (no "before and after one more response");
 * 2. an anonymous group is shown only with ≥ FEEDBACK_MIN_RATERS raters who rated (else
 *    folded into "others" if that reaches the threshold, else hidden), comments with it; a
 *    competency cell of an anonymous group likewise needs that many raters;
 * 3. no endpoint returns a response of anyone but the caller, a rater's identity next to an
 *    answer or comment, or the time of any response; comments come sorted by text; errors
 *    name only the caller's own input.
 */
describe('360 anonymity under attack', () => {
  let t: TestApp;
  let hr: Person, admin: Person, manager: Person, lead: Person, ana: Person, li: Person, bo: Person, dana: Person, p4: Person, c1: Person, c2: Person;
  let cycleId: number;
  let q: number[];
  let k: number[];
  const viewers = () => ({ admin, hr, manager, lead, subject: ana });
  const SECRET_PEER = 'SECRET-peer-comment-1a2b';
  const SECRET_CUSTOMER = 'SECRET-customer-comment-3c4d';
  const SECRET_ID = 'SECRET-dana-marker-5e6f';

  beforeAll(async () => {
    t = await createTestApp({ ORG_TIMEZONE: 'UTC', FEEDBACK_MIN_RATERS: '3' });
    await importFixture(t.app, 'kpi/basic');
    setClock(t, '2026-10-02T08:00:00Z');
    hr = await person(t, 'hr', 'hr@test.yardstick');
    admin = await person(t, 'admin', 'admin@test.yardstick');
    manager = await person(t, 'manager', 'manager@test.yardstick');
    lead = await person(t, 'team_lead', 'lead@test.yardstick', { teamIds: ['T-EAST'] });
    ana = await person(t, 'agent', 'ana@example.com', { agentId: 'A1' });
    li = await person(t, 'agent', 'li@example.com', { agentId: 'A2' });
    bo = await person(t, 'agent', 'bo@test.yardstick', { agentId: 'A3' });
    dana = await person(t, 'agent', 'dana@example.com', { agentId: 'A4' });
    p4 = await person(t, 'team_lead', 'p4@test.yardstick');
    c1 = await person(t, 'team_lead', 'c1@test.yardstick');
    c2 = await person(t, 'team_lead', 'c2@test.yardstick');
    const res = await as(t, hr.token)
      .post('/api/v1/feedback-cycles', {
        name: 'Adversarial',
        opens_on: '2026-10-01',
        closes_on: '2026-10-20',
        competencies: [
          { name: 'Communication', questions: [{ text: 'Explains clearly' }, { text: 'Listens' }] },
          { name: 'Ownership', questions: [{ text: 'Follows through' }] },
        ],
        subjects: ['A1'],
        assignments: [
          { subject_agent_id: 'A1', group: 'self' },
          { subject_agent_id: 'A1', group: 'manager', rater_email: lead.email },
          ...[li, bo, dana, p4].map((p) => ({ subject_agent_id: 'A1', group: 'peer', rater_email: p.email })),
          ...[c1, c2].map((p) => ({ subject_agent_id: 'A1', group: 'customer', rater_email: p.email })),
        ],
      })
      .expect(201);
    cycleId = res.body.id;
    q = res.body.competencies.flatMap((c: { questions: { id: number }[] }) => c.questions.map((x) => x.id));
    k = res.body.competencies.map((c: { id: number }) => c.id);
  });
  afterAll(() => t.close());

  const put = (p: Person, ratings: Rating[], extra: Parameters<typeof responseBody>[2] = {}) =>
    as(t, p.token).put(`/api/v1/feedback-cycles/${cycleId}/responses/A1`, responseBody(q, ratings, extra));
  /** A problem body without the per-request fields. */
  const stable = (b: Record<string, unknown>) => {
    const { request_id: _r, instance: _i, ...rest } = b;
    return rest;
  };
  /** Everything a reader can ask about the cycle and the subject's KPI right now. */
  async function everythingVisible(p: Person): Promise<unknown[]> {
    const base = `/api/v1/feedback-cycles/${cycleId}`;
    const out: unknown[] = [];
    for (const url of [
      '/api/v1/feedback-cycles',
      base,
      `${base}/responses`,
      `${base}/responses/A1`,
      `${base}/results/A1`,
      '/api/v1/agents/A1/kpis?period=2026-10',
      '/api/v1/agents/A1/kpis/feedback_360_score/records?period=2026-10',
      '/api/v1/teams/T-E1/kpis/feedback_360_score/records?period=2026-10',
      '/api/v1/org/kpis/feedback_360_score/records?period=2026-10',
      '/api/v1/teams/T-E1/agents/kpis?period=2026-10',
    ]) {
      const res = await as(t, p.token).get(url);
      out.push({ url, status: res.status, body: res.body });
    }
    const csv = await as(t, p.token).get('/api/v1/teams/T-E1/agents/kpis?period=2026-10').set('Accept', 'text/csv');
    out.push({ url: 'csv', status: csv.status, body: csv.text });
    return out;
  }

  it('while the cycle is open, one more response changes nothing any reader sees but a completion count', async () => {
    await put(li, [5, 5, 5]).expect(201);
    await put(bo, [4, 4, 4]).expect(201);
    const before: Record<string, unknown> = {};
    for (const [name, p] of Object.entries(viewers())) {
      const res = await as(t, p.token).get(`/api/v1/feedback-cycles/${cycleId}/results/A1`).expect(409);
      before[name] = stable(res.body);
      const kpi = (await as(t, p.token).get('/api/v1/agents/A1/kpis?period=2026-10').expect(200)).body.kpis.feedback_360_score;
      expect(kpi).toMatchObject({ value: null, numerator: 0, denominator: 0, sample_size: 0 });
      const records = (await as(t, p.token).get('/api/v1/agents/A1/kpis/feedback_360_score/records?period=2026-10').expect(200)).body;
      expect(records.total).toBe(0);
    }
    const completionBefore = (await as(t, hr.token).get(`/api/v1/feedback-cycles/${cycleId}/responses`).expect(200)).body.completion;

    // the 3rd peer answers: a 2 → 3 step that would reveal dana's answers if results were live
    await put(dana, [1, 1, 1], { comment: SECRET_ID }).expect(201);
    for (const [name, p] of Object.entries(viewers())) {
      const res = await as(t, p.token).get(`/api/v1/feedback-cycles/${cycleId}/results/A1`).expect(409);
      expect({ name, body: stable(res.body) }).toEqual({ name, body: before[name] });
      const kpi = (await as(t, p.token).get('/api/v1/agents/A1/kpis?period=2026-10').expect(200)).body.kpis.feedback_360_score;
      expect(kpi).toMatchObject({ value: null, numerator: 0, denominator: 0, sample_size: 0 });
      expect((await as(t, p.token).get('/api/v1/agents/A1/kpis/feedback_360_score/records?period=2026-10').expect(200)).body.total).toBe(0);
    }
    // completion moves from 2 to 3 — a count, with no rater and no time
    const completionAfter = (await as(t, hr.token).get(`/api/v1/feedback-cycles/${cycleId}/responses`).expect(200)).body.completion;
    const peer = (c: { groups: { group: string }[] }[]) => c[0].groups.find((g) => g.group === 'peer');
    expect(peer(completionBefore)).toEqual({ group: 'peer', assigned: 4, responded: 2 });
    expect(peer(completionAfter)).toEqual({ group: 'peer', assigned: 4, responded: 3 });
    // and a changed answer changes nothing visible either
    await put(dana, [5, 5, 5], { comment: SECRET_ID }).expect(200);
    expect(stable((await as(t, admin.token).get(`/api/v1/feedback-cycles/${cycleId}/results/A1`).expect(409)).body)).toEqual(before.admin);
  });

  it('no reader, admin included, finds another rater’s answer or comment anywhere while the cycle is open', async () => {
    await put(c1, [2, 2, 2], { comment: SECRET_CUSTOMER }).expect(201);
    await put(li, [5, 5, 5], { competency_comments: [{ competency_id: k[0], text: SECRET_PEER }] }).expect(200);
    for (const p of Object.values(viewers())) {
      const text = JSON.stringify(await everythingVisible(p));
      for (const secret of [SECRET_PEER, SECRET_CUSTOMER, SECRET_ID]) expect(text).not.toContain(secret);
    }
    // a rater sees only their own
    const own = (await as(t, li.token).get(`/api/v1/feedback-cycles/${cycleId}/responses/A1`).expect(200)).body;
    expect(own.competency_comments).toEqual([{ competency_id: k[0], text: SECRET_PEER }]);
    expect(JSON.stringify(own)).not.toContain(SECRET_ID);
  });

  it('filtering cannot narrow results, listings or reads to one rater: extra parameters change nothing', async () => {
    const base = `/api/v1/feedback-cycles/${cycleId}`;
    const plain = stable((await as(t, admin.token).get(`${base}/results/A1`)).body);
    for (const qs of ['?group=peer', '?rater_user_id=1', '?rater=li@example.com&competency_id=1', '?include=responses&raw=true', '?since=2026-10-02']) {
      expect(stable((await as(t, admin.token).get(`${base}/results/A1${qs}`)).body)).toEqual(plain);
      const listing = (await as(t, admin.token).get(`${base}/responses${qs}`).expect(200)).body;
      expect(listing).toEqual((await as(t, admin.token).get(`${base}/responses`)).body);
      // admin is not a rater of A1: no response to read, however asked
      const own = await as(t, admin.token).get(`${base}/responses/A1${qs}`).expect(404);
      expect(own.body.detail).toBe(`you are not asked to give feedback on agent "A1" in feedback cycle ${cycleId}`);
    }
    // there is no per-rater path at all
    await as(t, admin.token).get(`${base}/responses/A1/li@example.com`).expect(404);
    await as(t, admin.token).get(`${base}/responses?subject_agent_id=A1&rater_user_id=2`).expect(200);
  });

  it('error messages never echo another rater’s data', async () => {
    const base = `/api/v1/feedback-cycles/${cycleId}`;
    // invalid submission by a rater: only their own values come back
    const bad = await as(t, p4.token)
      .put(`${base}/responses/A1`, { answers: [{ question_id: q[0], rating: 9 }], comment: 'x'.repeat(4001) })
      .expect(422);
    const badText = JSON.stringify(bad.body);
    for (const s of [SECRET_ID, SECRET_PEER, SECRET_CUSTOMER, li.email, bo.email, dana.email]) expect(badText).not.toContain(s);
    // a non-rater gets the same refusal whatever the others did
    const refused1 = stable((await as(t, c2.token).put(`${base}/responses/A2`, responseBody(q, [3, 3, 3])).expect(403)).body);
    await put(bo, [3, 4, 'cannot_rate'], { comment: 'AAA-bo-wrote-this-last' }).expect(200);
    const refused2 = stable((await as(t, c2.token).put(`${base}/responses/A2`, responseBody(q, [3, 3, 3])).expect(403)).body);
    expect(refused2).toEqual(refused1);
    // "you have not answered" depends only on the caller's own state
    const notYet = (await as(t, p4.token).get(`${base}/responses/A1`).expect(404)).body.detail;
    expect(notYet).toBe(`you have not answered for agent "A1" in feedback cycle ${cycleId} yet`);
  });

  it('once closed: one fixed set of results, nothing changes any more, and nothing names or times a rater', async () => {
    setClock(t, '2026-10-21T06:00:00Z');
    const first: Record<string, unknown> = {};
    for (const [name, p] of Object.entries(viewers())) first[name] = (await as(t, p.token).get(`/api/v1/feedback-cycles/${cycleId}/results/A1`).expect(200)).body;
    // every reader sees the same thing — admin has no extra power
    for (const name of Object.keys(first)) expect(first[name]).toEqual(first.admin);
    const r = first.admin as {
      groups: { group: string; status: string; count: number }[];
      others: unknown;
      comments: { group: string; text: string }[];
      competencies: { groups: { group: string; count: number | null; mean: number | null; suppressed: boolean }[] }[];
    };
    // peers: li, dana, bo answered (bo with "cannot rate" on Ownership); p4 never did
    expect(r.groups.find((g) => g.group === 'peer')).toMatchObject({ status: 'shown', count: 3 });
    // customer: 1 answered → alone below 3, nothing to fold with → hidden, comment too
    expect(r.groups.find((g) => g.group === 'customer')).toMatchObject({ status: 'hidden', count: 1 });
    expect(r.others).toEqual({ members: ['customer'], status: 'hidden', count: 1, mean: null });
    // Ownership: li and dana rated, bo could not → 2 < 3 → suppressed, count hidden too
    expect(r.competencies[1].groups.find((g) => g.group === 'peer')).toEqual({ group: 'peer', count: null, mean: null, suppressed: true });
    expect(r.comments).toEqual([
      { group: 'peer', competency_id: null, text: 'AAA-bo-wrote-this-last' },
      { group: 'peer', competency_id: null, text: SECRET_ID },
      { group: 'peer', competency_id: k[0], text: SECRET_PEER },
    ]);
    const text = JSON.stringify(r);
    expect(text).not.toContain(SECRET_CUSTOMER);
    // nothing names a rater or a user, nothing carries a time
    for (const p of [li, bo, dana, p4, c1, c2, lead, ana]) expect(text).not.toContain(p.email);
    for (const key of allStrings(r).filter((x) => x !== 'min_raters')) expect(key).not.toMatch(/rater|user|email|submitted|_at$|time/i);
    expect(allStrings(r).filter((s) => /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(s))).toEqual([]);

    // late answers and changes are refused, and the results stay exactly the same
    await put(p4, [1, 1, 1]).expect(409);
    await put(li, [1, 1, 1]).expect(409);
    await put(c2, [5, 5, 5]).expect(409);
    for (const [name, p] of Object.entries(viewers())) {
      expect((await as(t, p.token).get(`/api/v1/feedback-cycles/${cycleId}/results/A1`).expect(200)).body).toEqual(first[name]);
    }
  });

  it('comments are ordered by text, not by who wrote them or when', async () => {
    const r = (await as(t, hr.token).get(`/api/v1/feedback-cycles/${cycleId}/results/A1`).expect(200)).body;
    // bo wrote his comment after dana wrote hers, and li's competency comment came before both:
    // general comments first, then per competency, each in text order
    expect(r.comments.map((c: { text: string }) => c.text)).toEqual(['AAA-bo-wrote-this-last', SECRET_ID, SECRET_PEER]);
  });

  it('timestamps: no response time anywhere; the only instants are the cycle’s creation and the KPI window', async () => {
    for (const p of [admin, hr, li]) {
      const all = allStrings(await everythingVisible(p)).filter((s) => /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(s));
      const created = (await as(t, hr.token).get(`/api/v1/feedback-cycles/${cycleId}`).expect(200)).body.created_at as string;
      for (const s of all) expect([created, '2026-10-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z']).toContain(s);
    }
  });

  it('counts: completion and results carry counts per group, never per rater', async () => {
    const listing = (await as(t, admin.token).get(`/api/v1/feedback-cycles/${cycleId}/responses`).expect(200)).body;
    for (const s of listing.completion) for (const g of s.groups) expect(Object.keys(g).sort()).toEqual(['assigned', 'group', 'responded']);
    const detail = (await as(t, admin.token).get(`/api/v1/feedback-cycles/${cycleId}`).expect(200)).body;
    // who was asked is known to whoever set the cycle up — but not who answered
    for (const a of detail.assignments) expect(Object.keys(a).sort()).toEqual(['group', 'rater_email', 'rater_user_id', 'subject_agent_id']);
  });

  it('a group that stayed below the threshold until the close stays hidden: the 2 → 3 step can no longer happen', async () => {
    // a second cycle where only two peers answer before the close
    setClock(t, '2026-10-21T06:00:00Z');
    const c = (
      await as(t, hr.token)
        .post('/api/v1/feedback-cycles', {
          name: 'Two peers',
          opens_on: '2026-10-21',
          closes_on: '2026-10-22',
          competencies: [{ name: 'Teamwork', questions: [{ text: 'Helps others' }] }],
          subjects: ['A2'],
          assignments: [
            { subject_agent_id: 'A2', group: 'manager', rater_email: lead.email },
            ...[ana, bo, dana].map((p) => ({ subject_agent_id: 'A2', group: 'peer', rater_email: p.email })),
          ],
        })
        .expect(201)
    ).body;
    const qid = c.competencies[0].questions[0].id;
    const url = `/api/v1/feedback-cycles/${c.id}/responses/A2`;
    await as(t, lead.token).put(url, { answers: [{ question_id: qid, rating: 4 }] }).expect(201);
    await as(t, ana.token).put(url, { answers: [{ question_id: qid, rating: 5 }], comment: 'two-peers-secret' }).expect(201);
    await as(t, bo.token).put(url, { answers: [{ question_id: qid, rating: 1 }] }).expect(201);
    setClock(t, '2026-10-23T00:00:00Z');
    const r = (await as(t, admin.token).get(`/api/v1/feedback-cycles/${c.id}/results/A2`).expect(200)).body;
    expect(r.groups.find((g: { group: string }) => g.group === 'peer')).toMatchObject({ status: 'hidden', count: 2, mean: null });
    expect(JSON.stringify(r)).not.toContain('two-peers-secret');
    expect(r.feedback_360_score).toMatchObject({ value: 4, denominator: 1 });
    // dana cannot be the third one now
    await as(t, dana.token).put(url, { answers: [{ question_id: qid, rating: 3 }] }).expect(409);
    expect((await as(t, admin.token).get(`/api/v1/feedback-cycles/${c.id}/results/A2`).expect(200)).body).toEqual(r);
  });
});

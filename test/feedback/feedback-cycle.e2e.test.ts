import { FeedbackService } from '../../src/feedback/feedback.service';
import { importFixture } from '../support/fixtures';
import { createTestApp, type TestApp } from '../support/test-app';
import { as, person, responseBody, setClock, type Person } from './feedback-support';

/**
 * The 360 workflow end to end through the HTTP API, on the fixture kpi/basic (A1, A2 in
 * T-E1; A3 in T-EAST; A4 in T-W1; A5 left 2026-09-20), FEEDBACK_MIN_RATERS = 3.
 *
 * Cycle "Autumn": open 2026-10-01 … 2026-10-20; competencies K1 Communication (q1, q2) and
 * K2 Ownership (q3). Subject A1, hand-worked results:
 *   self    ana        4 4 5                       "I communicate well"
 *   manager lead       3 4 4                       "Solid"
 *   peer    li         5 4 –   K1: "Very clear explanations"
 *           bo         3 3 4
 *           dana       4 5 –
 *   d.r.    dr1        2 3 3                       "Needs to delegate"
 *           dr2        4 4 4
 *   cust.   cu1        5 5 5                       "Great service"
 *           cu2        (no response)
 * peer: 3 answered → shown. K1 (3 raters) = (5+4+3+3+4+5)/6 = 4; K2 has 1 rater → suppressed;
 *   peer mean over shown cells = 4.
 * direct_report 2 and customer 1 answered → both below 3 → folded: others = 3 raters, shown.
 *   others K1 = (2+3+4+4+5+5)/6 = 23/6; K2 = (3+4+5)/3 = 4; mean = 35/9.
 * self: K1 4, K2 5, mean 13/3. manager: K1 3.5, K2 4, mean 11/3.
 * feedback_360_score = mean(manager 11/3, others 35/9, peer 4) = (104/9)/3 = 104/27, sample 1+3+3 = 7.
 * K1 non-self = mean(3.5, 4, 23/6) = 34/9, gap 4 − 34/9 = 2/9; K2 non-self = mean(4, 4) = 4, gap 1.
 * Overall gap = 13/3 − 104/27 = 13/27.
 *
 * Subject A2: self li 3 3 3; manager lead 4 4 4; peers ana 5 5 5 ("Li is great") and bo 1 1 1:
 * 2 peers < 3 → folded alone → others hidden. Score = manager only = 4 (sample 1).
 */
describe('360 feedback: cycle, responses, results, KPI', () => {
  let t: TestApp;
  let hr: Person, admin: Person, lead: Person, ana: Person, li: Person, bo: Person, dana: Person;
  let dr1: Person, dr2: Person, cu1: Person, cu2: Person, auditorUser: Person;
  let cycleId: number;
  let q: number[];
  let k: number[];

  beforeAll(async () => {
    t = await createTestApp({ ORG_TIMEZONE: 'UTC', FEEDBACK_MIN_RATERS: '3' });
    await importFixture(t.app, 'kpi/basic');
    setClock(t, '2026-09-25T12:00:00Z');
    hr = await person(t, 'hr', 'hr@test.yardstick');
    admin = await person(t, 'admin', 'admin@test.yardstick');
    lead = await person(t, 'team_lead', 'lead@test.yardstick', { teamIds: ['T-E1'] });
    ana = await person(t, 'agent', 'ana@example.com', { agentId: 'A1' });
    li = await person(t, 'agent', 'li@example.com', { agentId: 'A2' });
    bo = await person(t, 'agent', 'bo@test.yardstick', { agentId: 'A3' });
    dana = await person(t, 'agent', 'dana@example.com', { agentId: 'A4' });
    // raters who are not agents: users with a minimal role (a team lead of no team sees no KPI)
    dr1 = await person(t, 'team_lead', 'dr1@test.yardstick');
    dr2 = await person(t, 'team_lead', 'dr2@test.yardstick');
    cu1 = await person(t, 'team_lead', 'cu1@test.yardstick');
    cu2 = await person(t, 'team_lead', 'cu2@test.yardstick');
    auditorUser = await person(t, 'auditor', 'auditor@test.yardstick');
  });
  afterAll(() => t.close());

  const cycleBody = () => ({
    name: 'Autumn 2026',
    opens_on: '2026-10-01',
    closes_on: '2026-10-20',
    competencies: [
      { name: 'Communication', description: 'Clear and kind', questions: [{ text: 'Explains clearly' }, { text: 'Listens' }] },
      { name: 'Ownership', questions: [{ text: 'Follows through' }] },
    ],
    subjects: ['A1', 'A2'],
    assignments: [
      { subject_agent_id: 'A1', group: 'self' },
      { subject_agent_id: 'A1', group: 'manager', rater_email: lead.email },
      { subject_agent_id: 'A1', group: 'peer', rater_agent_id: 'A2' },
      { subject_agent_id: 'A1', group: 'peer', rater_agent_id: 'A3' },
      { subject_agent_id: 'A1', group: 'peer', rater_email: 'DANA@example.com' },
      { subject_agent_id: 'A1', group: 'direct_report', rater_email: dr1.email },
      { subject_agent_id: 'A1', group: 'direct_report', rater_email: dr2.email },
      { subject_agent_id: 'A1', group: 'customer', rater_email: cu1.email },
      { subject_agent_id: 'A1', group: 'customer', rater_email: cu2.email },
      { subject_agent_id: 'A2', group: 'self', rater_agent_id: 'A2' },
      { subject_agent_id: 'A2', group: 'manager', rater_email: lead.email },
      { subject_agent_id: 'A2', group: 'peer', rater_agent_id: 'A1' },
      { subject_agent_id: 'A2', group: 'peer', rater_agent_id: 'A3' },
    ],
  });

  it('hr creates a cycle: its definition comes back with ids, status scheduled, and the assignments for overseers', async () => {
    const res = await as(t, hr.token).post('/api/v1/feedback-cycles', cycleBody()).expect(201);
    const c = res.body;
    cycleId = c.id;
    expect(c).toMatchObject({ name: 'Autumn 2026', opens_on: '2026-10-01', closes_on: '2026-10-20', status: 'scheduled', min_raters: 3, created_by: hr.email });
    expect(c.competencies.map((x: { name: string }) => x.name)).toEqual(['Communication', 'Ownership']);
    expect(c.competencies[0].description).toBe('Clear and kind');
    q = c.competencies.flatMap((x: { questions: { id: number }[] }) => x.questions.map((y) => y.id));
    k = c.competencies.map((x: { id: number }) => x.id);
    expect(q).toHaveLength(3);
    expect(c.subjects).toEqual([
      { agent_id: 'A1', name: 'Ana Silva' },
      { agent_id: 'A2', name: 'Li Wei 李伟' },
    ]);
    expect(c.assignments).toHaveLength(13);
    expect(c.assignments.filter((a: { subject_agent_id: string; group: string }) => a.subject_agent_id === 'A1' && a.group === 'self')).toEqual([
      { subject_agent_id: 'A1', group: 'self', rater_user_id: expect.any(Number), rater_email: 'ana@example.com' },
    ]);
    expect(c.my_assignments).toEqual([]);
  });

  it('validation names each problem with its field', async () => {
    const body = cycleBody();
    body.closes_on = '2026-09-01';
    body.subjects = ['A1', 'A5', 'NOPE', 'A1'];
    body.competencies.push({ name: ' communication ', questions: [{ text: 'x' }] });
    body.assignments = [
      { subject_agent_id: 'A1', group: 'self', rater_agent_id: 'A2' },
      { subject_agent_id: 'A1', group: 'peer', rater_agent_id: 'A1' },
      { subject_agent_id: 'A1', group: 'peer', rater_email: auditorUser.email },
      { subject_agent_id: 'A1', group: 'peer', rater_email: 'nobody@test.yardstick' },
      { subject_agent_id: 'A3', group: 'peer', rater_agent_id: 'A2' },
      { subject_agent_id: 'A1', group: 'peer', rater_agent_id: 'A2' },
      { subject_agent_id: 'A1', group: 'customer', rater_agent_id: 'A2' },
      { subject_agent_id: 'A1', group: 'peer' },
    ];
    const res = await as(t, hr.token).post('/api/v1/feedback-cycles', body).expect(422);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    const errors = res.body.errors as { field: string; reason: string; value?: unknown }[];
    const by = (f: string) => errors.filter((e) => e.field === f).map((e) => e.reason);
    expect(by('closes_on')).toEqual(['before opens_on (2026-10-01)', 'in the past (today is 2026-09-25): a cycle must be able to collect responses']);
    expect(by('competencies[2].name')).toEqual(['the same as competencies[0]']);
    expect(by('subjects[1]')).toEqual(['the agent left on 2026-09-20']);
    expect(by('subjects[2]')).toEqual(['unknown agent']);
    expect(by('subjects[3]')).toEqual(['listed twice']);
    expect(by('assignments[0]')[0]).toMatch(/self rater must be the subject's own user/);
    expect(by('assignments[1]')).toEqual(["the subject's own user can only be in group self"]);
    expect(by('assignments[2]')[0]).toMatch(/is an auditor/);
    expect(by('assignments[3].rater_email')).toEqual(['no user has this e-mail']);
    expect(by('assignments[4].subject_agent_id')).toEqual(['not one of subjects']);
    expect(by('assignments[6]')[0]).toMatch(/already a rater of A1 \(assignments\[5\]\)/);
    expect(by('assignments[7]')).toEqual(['name the rater: rater_user_id, rater_email or rater_agent_id']);
    // the body shape is checked by the global validation pipe
    const bad = await as(t, hr.token)
      .post('/api/v1/feedback-cycles', { ...cycleBody(), opens_on: '1 Oct', assignments: [{ subject_agent_id: 'A1', group: 'boss', rater_user_id: 99999999999 }], extra: 1 })
      .expect(422);
    const fields = (bad.body.errors as { field: string }[]).map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['opens_on', 'assignments.0.group', 'assignments.0.rater_user_id', 'extra']));
    const feb = await as(t, hr.token).post('/api/v1/feedback-cycles', { ...cycleBody(), closes_on: '2026-02-30' }).expect(422);
    expect(feb.body.errors).toEqual([{ field: 'closes_on', value: '2026-02-30', reason: 'not a calendar date' }]);
  });

  it('responses are refused before the cycle opens', async () => {
    const res = await as(t, li.token).put(`/api/v1/feedback-cycles/${cycleId}/responses/A1`, responseBody(q, [5, 4, 'cannot_rate'])).expect(409);
    expect(res.body.detail).toBe(`feedback cycle ${cycleId} opens on 2026-10-01; responses are accepted from then through 2026-10-20`);
  });

  it('raters answer while the cycle is open; one response per rater and subject, changeable, read back only by its rater', async () => {
    setClock(t, '2026-10-05T09:00:00Z');
    const mine = await as(t, li.token).get(`/api/v1/feedback-cycles/${cycleId}/responses`).expect(200);
    expect(mine.body).toEqual({
      cycle_id: cycleId,
      status: 'open',
      mine: [
        { subject_agent_id: 'A1', subject_name: 'Ana Silva', group: 'peer', anonymous: true, submitted: false },
        { subject_agent_id: 'A2', subject_name: 'Li Wei 李伟', group: 'self', anonymous: false, submitted: false },
      ],
      completion: null,
    });
    const list = await as(t, li.token).get('/api/v1/feedback-cycles').expect(200);
    expect(list.body.cycles).toEqual([
      { id: cycleId, name: 'Autumn 2026', opens_on: '2026-10-01', closes_on: '2026-10-20', status: 'open', subjects: 2, my_assignments: 2, my_pending: 2 },
    ]);

    // li first answers A1 badly, then changes her mind (POST again replaces: 200)
    const first = await as(t, li.token).post(`/api/v1/feedback-cycles/${cycleId}/responses`, { subject_agent_id: 'A1', ...responseBody(q, [1, 1, 1]) }).expect(201);
    expect(first.body.answers).toEqual([
      { question_id: q[0], rating: 1 },
      { question_id: q[1], rating: 1 },
      { question_id: q[2], rating: 1 },
    ]);
    const second = await as(t, li.token)
      .post(`/api/v1/feedback-cycles/${cycleId}/responses`, {
        subject_agent_id: 'A1',
        ...responseBody(q, [5, 4, 'cannot_rate'], { competency_comments: [{ competency_id: k[0], text: '  Very clear explanations ' }] }),
      })
      .expect(200);
    expect(second.body).toEqual({
      cycle_id: cycleId,
      subject_agent_id: 'A1',
      subject_name: 'Ana Silva',
      group: 'peer',
      anonymous: true,
      answers: [
        { question_id: q[0], rating: 5 },
        { question_id: q[1], rating: 4 },
        { question_id: q[2], rating: 'cannot_rate' },
      ],
      comment: null,
      competency_comments: [{ competency_id: k[0], text: 'Very clear explanations' }],
    });
    const again = await as(t, li.token).get(`/api/v1/feedback-cycles/${cycleId}/responses/A1`).expect(200);
    expect(again.body).toEqual(second.body);

    const put = (p: Person, subject: string, ratings: Parameters<typeof responseBody>[1], extra: Parameters<typeof responseBody>[2] = {}) =>
      as(t, p.token).put(`/api/v1/feedback-cycles/${cycleId}/responses/${subject}`, responseBody(q, ratings, extra));
    await put(ana, 'A1', [4, 4, 5], { comment: 'I communicate well' }).expect(201);
    await put(lead, 'A1', [3, 4, 4], { comment: 'Solid' }).expect(201);
    await put(bo, 'A1', [3, 3, 4]).expect(201);
    await put(dana, 'A1', [4, 5, 'cannot_rate']).expect(201);
    await put(cu1, 'A1', [5, 5, 5], { comment: 'Great service' }).expect(201);
    await put(dr1, 'A1', [2, 3, 3], { comment: 'Needs to delegate' }).expect(201);
    await put(dr2, 'A1', [4, 4, 4]).expect(201);
    await put(li, 'A2', [3, 3, 3]).expect(201);
    await put(lead, 'A2', [4, 4, 4]).expect(201);
    await put(ana, 'A2', [5, 5, 5], { comment: 'Li is great' }).expect(201);
    await put(bo, 'A2', [1, 1, 1]).expect(201);

    // nobody reads another rater's response — hr and admin included
    for (const who of [hr, admin, cu2, dana]) {
      const res = await as(t, who.token).get(`/api/v1/feedback-cycles/${cycleId}/responses/A2`).expect(404);
      expect(res.body.detail).toMatch(/^you are not asked to give feedback on agent "A2"|^you have not answered/);
    }
    await as(t, cu2.token).get(`/api/v1/feedback-cycles/${cycleId}/responses/A1`).expect(404);
  });

  it('a response must answer every question exactly once, with 1–5 or cannot_rate; errors name only the caller’s input', async () => {
    const url = `/api/v1/feedback-cycles/${cycleId}/responses/A1`;
    const res = await as(t, cu2.token)
      .put(url, {
        answers: [
          { question_id: q[0], rating: 3 },
          { question_id: q[0], rating: 4 },
          { question_id: 999999, rating: 2 },
        ],
        competency_comments: [
          { competency_id: 424242, text: 'x' },
          { competency_id: k[1], text: '   ' },
        ],
      })
      .expect(422);
    expect(res.body.errors).toEqual([
      { field: 'answers[1].question_id', value: q[0], reason: 'answered twice (also answers[0])' },
      { field: 'answers[2].question_id', value: 999999, reason: `not a question of feedback cycle ${cycleId}` },
      { field: 'answers', value: [q[1], q[2]], reason: `every question needs an answer (1–5 or "cannot_rate"); missing question ids: ${q[1]}, ${q[2]}` },
      { field: 'competency_comments[0].competency_id', value: 424242, reason: `not a competency of feedback cycle ${cycleId}` },
      { field: 'competency_comments[1].text', reason: 'must not be blank' },
    ]);
    const range = await as(t, cu2.token).put(url, responseBody(q, [0 as never, 6 as never, '3' as never])).expect(422);
    expect((range.body.errors as { field: string; reason: string }[]).map((e) => [e.field, e.reason])).toEqual([
      ['answers.0.rating', 'rating must be an integer 1–5 or "cannot_rate"'],
      ['answers.1.rating', 'rating must be an integer 1–5 or "cannot_rate"'],
      ['answers.2.rating', 'rating must be an integer 1–5 or "cannot_rate"'],
    ]);
    // ids beyond PostgreSQL integers are validation errors, not server errors
    const huge = await as(t, cu2.token).put(url, { answers: [{ question_id: 99999999999, rating: 3 }] }).expect(422);
    expect(huge.body.errors.map((e: { field: string }) => e.field)).toEqual(['answers.0.question_id']);
    // nothing was saved
    await as(t, cu2.token).get(url).expect(404);
  });

  it('only the assigned rater may answer', async () => {
    const res = await as(t, hr.token).put(`/api/v1/feedback-cycles/${cycleId}/responses/A1`, responseBody(q, [3, 3, 3])).expect(403);
    expect(res.body.detail).toBe(`you are not asked to give feedback on agent "A1" in feedback cycle ${cycleId}`);
    await as(t, dana.token).put(`/api/v1/feedback-cycles/${cycleId}/responses/A2`, responseBody(q, [3, 3, 3])).expect(403);
    await as(t, auditorUser.token).put(`/api/v1/feedback-cycles/${cycleId}/responses/A1`, responseBody(q, [3, 3, 3])).expect(403);
  });

  it('overseers see completion counts per group, never who', async () => {
    const res = await as(t, hr.token).get(`/api/v1/feedback-cycles/${cycleId}/responses`).expect(200);
    expect(res.body.completion).toEqual([
      {
        subject_agent_id: 'A1',
        name: 'Ana Silva',
        groups: [
          { group: 'self', assigned: 1, responded: 1 },
          { group: 'manager', assigned: 1, responded: 1 },
          { group: 'peer', assigned: 3, responded: 3 },
          { group: 'direct_report', assigned: 2, responded: 2 },
          { group: 'customer', assigned: 2, responded: 1 },
        ],
      },
      {
        subject_agent_id: 'A2',
        name: 'Li Wei 李伟',
        groups: [
          { group: 'self', assigned: 1, responded: 1 },
          { group: 'manager', assigned: 1, responded: 1 },
          { group: 'peer', assigned: 2, responded: 2 },
        ],
      },
    ]);
    expect(res.body.mine).toEqual([]);
  });

  it('results wait for the cycle to close (409 for everyone, admin included)', async () => {
    for (const who of [admin, hr, lead, ana]) {
      const res = await as(t, who.token).get(`/api/v1/feedback-cycles/${cycleId}/results/A1`).expect(409);
      expect(res.body.detail).toBe(`the results of feedback cycle ${cycleId} are available once it has closed: responses are accepted through 2026-10-20`);
    }
    // the last day is still open (inclusive), in ORG_TIMEZONE
    setClock(t, '2026-10-20T23:59:59Z');
    await as(t, admin.token).get(`/api/v1/feedback-cycles/${cycleId}/results/A1`).expect(409);
  });

  it('the closing sweep records the close, so a cached live KPI picks the cycle up at once', async () => {
    // still open on its last day: October's live KPI has no 360 value (and is now cached)
    const before = (await as(t, hr.token).get('/api/v1/agents/A1/kpis?period=2026-10').expect(200)).body.kpis.feedback_360_score;
    expect(before.value).toBeNull();
    setClock(t, '2026-10-21T00:00:00Z');
    // what the running service does every minute (and before results are read)
    expect(await t.app.get(FeedbackService).markClosedCycles()).toBe(1);
    expect(await t.app.get(FeedbackService).markClosedCycles()).toBe(0);
    const after = (await as(t, hr.token).get('/api/v1/agents/A1/kpis?period=2026-10').expect(200)).body.kpis.feedback_360_score;
    expect(after.value).toBeCloseTo(104 / 27, 12);
  });

  it('once closed: results per competency and group, folding, the gap, comments and feedback_360_score', async () => {
    setClock(t, '2026-10-21T00:00:00Z');
    const res = await as(t, hr.token).get(`/api/v1/feedback-cycles/${cycleId}/results/A1`).expect(200);
    const r = res.body;
    expect(r.cycle).toEqual({ id: cycleId, name: 'Autumn 2026', opens_on: '2026-10-01', closes_on: '2026-10-20', status: 'closed' });
    expect(r.subject).toEqual({ agent_id: 'A1', name: 'Ana Silva' });
    expect(r.min_raters).toBe(3);
    expect(r.groups).toEqual([
      { group: 'self', status: 'shown', shown_as: 'self', assigned: 1, responded: 1, count: 1, mean: 13 / 3 },
      { group: 'manager', status: 'shown', shown_as: 'manager', assigned: 1, responded: 1, count: 1, mean: 11 / 3 },
      { group: 'peer', status: 'shown', shown_as: 'peer', assigned: 3, responded: 3, count: 3, mean: 4 },
      { group: 'direct_report', status: 'folded', shown_as: 'others', assigned: 2, responded: 2, count: 2, mean: null },
      { group: 'customer', status: 'folded', shown_as: 'others', assigned: 2, responded: 1, count: 1, mean: null },
    ]);
    expect(r.others).toEqual({ members: ['direct_report', 'customer'], status: 'shown', count: 3, mean: 35 / 9 });
    expect(r.competencies).toHaveLength(2);
    expect(r.competencies[0]).toEqual({
      competency_id: k[0],
      name: 'Communication',
      groups: [
        { group: 'self', count: 1, mean: 4, suppressed: false },
        { group: 'manager', count: 1, mean: 3.5, suppressed: false },
        { group: 'peer', count: 3, mean: 4, suppressed: false },
        { group: 'others', count: 3, mean: 23 / 6, suppressed: false },
      ],
      self_mean: 4,
      non_self_mean: expect.closeTo(34 / 9, 12),
      gap: expect.closeTo(2 / 9, 12),
    });
    expect(r.competencies[1]).toEqual({
      competency_id: k[1],
      name: 'Ownership',
      groups: [
        { group: 'self', count: 1, mean: 5, suppressed: false },
        { group: 'manager', count: 1, mean: 4, suppressed: false },
        { group: 'peer', count: null, mean: null, suppressed: true },
        { group: 'others', count: 3, mean: 4, suppressed: false },
      ],
      self_mean: 5,
      non_self_mean: 4,
      gap: 1,
    });
    expect(r.overall).toEqual({ self_mean: 13 / 3, non_self_mean: expect.closeTo(104 / 27, 12), gap: expect.closeTo(13 / 27, 12) });
    expect(r.feedback_360_score).toEqual({
      value: expect.closeTo(104 / 27, 12),
      numerator: expect.closeTo(104 / 9, 12),
      denominator: 3,
      sample_size: 7,
      groups: [
        { group: 'manager', count: 1, mean: 11 / 3 },
        { group: 'others', count: 3, mean: 35 / 9 },
        { group: 'peer', count: 3, mean: 4 },
      ],
    });
    expect(r.comments).toEqual([
      { group: 'self', competency_id: null, text: 'I communicate well' },
      { group: 'manager', competency_id: null, text: 'Solid' },
      { group: 'peer', competency_id: k[0], text: 'Very clear explanations' },
      { group: 'others', competency_id: null, text: 'Great service' },
      { group: 'others', competency_id: null, text: 'Needs to delegate' },
    ]);
  });

  it('a group below the threshold with nobody to fold with is hidden, comments too', async () => {
    const r = (await as(t, hr.token).get(`/api/v1/feedback-cycles/${cycleId}/results/A2`).expect(200)).body;
    expect(r.groups.map((g: { group: string; status: string; mean: number | null }) => [g.group, g.status, g.mean])).toEqual([
      ['self', 'shown', 3],
      ['manager', 'shown', 4],
      ['peer', 'hidden', null],
    ]);
    expect(r.others).toEqual({ members: ['peer'], status: 'hidden', count: 2, mean: null });
    expect(r.competencies[0].groups.map((g: { group: string }) => g.group)).toEqual(['self', 'manager']);
    expect(r.comments).toEqual([]);
    expect(JSON.stringify(r)).not.toContain('Li is great');
    expect(r.feedback_360_score).toEqual({ value: 4, numerator: 4, denominator: 1, sample_size: 1, groups: [{ group: 'manager', count: 1, mean: 4 }] });
    expect(r.overall).toEqual({ self_mean: 3, non_self_mean: 4, gap: -1 });
  });

  it('responses can no longer change after the close', async () => {
    const res = await as(t, bo.token).put(`/api/v1/feedback-cycles/${cycleId}/responses/A1`, responseBody(q, [5, 5, 5])).expect(409);
    expect(res.body.detail).toBe(`feedback cycle ${cycleId} closed after 2026-10-20; responses can no longer be given or changed`);
    const mine = await as(t, bo.token).get(`/api/v1/feedback-cycles/${cycleId}/responses/A1`).expect(200);
    expect(mine.body.answers.map((a: { rating: number }) => a.rating)).toEqual([3, 3, 4]);
  });

  it('feedback_360_score in the KPIs: agents, teams (mean of their agents’ scores) and the organisation', async () => {
    setClock(t, '2026-11-15T12:00:00Z');
    const kpi = async (url: string) => (await as(t, hr.token).get(`${url}?period=2026-10`).expect(200)).body.kpis.feedback_360_score;
    const a1 = 104 / 27;
    expect(await kpi('/api/v1/agents/A1/kpis')).toMatchObject({ value: expect.closeTo(a1, 12), numerator: expect.closeTo(104 / 9, 12), denominator: 3, sample_size: 7, low_sample: true });
    expect(await kpi('/api/v1/agents/A2/kpis')).toMatchObject({ value: 4, numerator: 4, denominator: 1, sample_size: 1 });
    expect(await kpi('/api/v1/agents/A3/kpis')).toMatchObject({ value: null, numerator: 0, denominator: 0, sample_size: 0 });
    const team = { value: expect.closeTo((a1 + 4) / 2, 12), numerator: expect.closeTo(a1 + 4, 12), denominator: 2, sample_size: 8 };
    expect(await kpi('/api/v1/teams/T-E1/kpis')).toMatchObject(team);
    expect(await kpi('/api/v1/teams/T-EAST/kpis')).toMatchObject(team);
    expect(await kpi('/api/v1/teams/T-ROOT/kpis')).toMatchObject(team);
    expect(await kpi('/api/v1/org/kpis')).toMatchObject(team);
    expect(await kpi('/api/v1/teams/T-W1/kpis')).toMatchObject({ value: null, numerator: 0, denominator: 0, sample_size: 0 });
    // the cycle closed after September: no value there
    const sep = (await as(t, hr.token).get('/api/v1/agents/A1/kpis?period=2026-09').expect(200)).body.kpis.feedback_360_score;
    expect(sep.value).toBeNull();
    // and the October value is November's `previous`
    const nov = (await as(t, hr.token).get('/api/v1/agents/A1/kpis?period=2026-11').expect(200)).body.kpis.feedback_360_score;
    expect(nov.value).toBeCloseTo(a1, 12);
    expect(nov.previous).toBeCloseTo(a1, 12);
  });

  it('the drill-down lists group aggregates (agent) and agents’ scores (team), never a response', async () => {
    const page = (await as(t, hr.token).get('/api/v1/agents/A1/kpis/feedback_360_score/records?period=2026-10').expect(200)).body;
    expect(page.total).toBe(3);
    expect(page.records).toEqual([
      { id: 'manager', in_numerator: null, fields: { cycle_id: cycleId, cycle_name: 'Autumn 2026', closes_on: '2026-10-20', group: 'manager', raters: 1, mean: 11 / 3 } },
      { id: 'others', in_numerator: null, fields: { cycle_id: cycleId, cycle_name: 'Autumn 2026', closes_on: '2026-10-20', group: 'others', raters: 3, mean: 35 / 9 } },
      { id: 'peer', in_numerator: null, fields: { cycle_id: cycleId, cycle_name: 'Autumn 2026', closes_on: '2026-10-20', group: 'peer', raters: 3, mean: 4 } },
    ]);
    expect(page.rule).toMatch(/Aggregates only, never a response/);
    expect(page.note).toBeNull();
    const kpi = (await as(t, hr.token).get('/api/v1/agents/A1/kpis?period=2026-10').expect(200)).body.kpis.feedback_360_score;
    expect(page.records.reduce((s: number, r: { fields: { mean: number } }) => s + r.fields.mean, 0)).toBe(kpi.numerator);

    const team = (await as(t, hr.token).get('/api/v1/teams/T-EAST/kpis/feedback_360_score/records?period=2026-10&limit=1').expect(200)).body;
    expect(team.total).toBe(2);
    expect(team.records).toEqual([
      {
        id: 'A1',
        in_numerator: null,
        fields: { agent_id: 'A1', team_id: 'T-E1', cycle_id: cycleId, cycle_name: 'Autumn 2026', closes_on: '2026-10-20', groups: 3, raters: 7, mean: expect.closeTo(104 / 27, 12) },
      },
    ]);
    const next = (await as(t, hr.token).get(`/api/v1/teams/T-EAST/kpis/feedback_360_score/records?period=2026-10&limit=1&cursor=${team.next_cursor}`).expect(200)).body;
    expect(next.records.map((x: { id: string }) => x.id)).toEqual(['A2']);
    expect(next.next_cursor).toBeNull();
  });

  it('for every subject the drill-down agrees with the KPI: total = denominator, Σ mean = numerator (exactly)', async () => {
    const subjects = [...['A1', 'A2', 'A3', 'A4', 'A5'].map((a) => `/api/v1/agents/${a}`), ...['T-E1', 'T-EAST', 'T-W1', 'T-ROOT'].map((x) => `/api/v1/teams/${x}`), '/api/v1/org'];
    for (const s of subjects) {
      const k = (await as(t, hr.token).get(`${s}/kpis?period=2026-10`).expect(200)).body.kpis.feedback_360_score;
      const p = (await as(t, hr.token).get(`${s}/kpis/feedback_360_score/records?period=2026-10`).expect(200)).body;
      const sum = p.records.reduce((acc: number, r: { fields: { mean: number } }) => acc + r.fields.mean, 0);
      expect({ s, total: p.total, sum, nulls: p.records.every((r: { in_numerator: unknown }) => r.in_numerator === null) }).toEqual({ s, total: k.denominator, sum: k.numerator, nulls: true });
    }
  });

  it('the default scorecard scores feedback_360_score', async () => {
    const card = (await as(t, hr.token).get('/api/v1/agents/A1/scorecards/2026-10').expect(200)).body;
    const row = card.kpis.find((x: { key: string }) => x.key === 'feedback_360_score');
    // floor 2.5, target 4.5: 100 × (104/27 − 2.5) / 2
    expect(row).toMatchObject({ perspective: 'learning_growth', value: expect.closeTo(104 / 27, 12), score: expect.closeTo((100 * (104 / 27 - 2.5)) / 2, 9) });
  });

  it('the OpenAPI document describes the feedback endpoints', async () => {
    const doc = (await t.http.get('/docs-json').expect(200)).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/feedback-cycles',
        '/api/v1/feedback-cycles/{id}',
        '/api/v1/feedback-cycles/{id}/responses',
        '/api/v1/feedback-cycles/{id}/responses/{subject_agent_id}',
        '/api/v1/feedback-cycles/{id}/results/{agent_id}',
      ]),
    );
    expect(doc.components.schemas).toHaveProperty('ResultsDto');
    expect(doc.components.schemas).toHaveProperty('CreateCycleDto');
  });
});

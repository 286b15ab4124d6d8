import { Client } from 'pg';
import type { TestApp } from '../support/test-app';
import { auditApp, bearer, defaultAnswers, defaultFormId, makeAudit, NOW } from './audit-helpers';

/**
 * The auditor's workflow through the real HTTP API on kpi/basic, with the clock fixed at
 * 2026-11-10T12:00Z: forms (seeded, created, versioned, retired), audits (validation naming
 * every problem, drafts, edits, finalising), voiding and the audit log.
 */
describe('mystery-shopper audits: forms, audits, audit log', () => {
  let t: TestApp;
  let hr: string;
  let manager: string;
  let auditor: string;
  let auditor2: string;
  let agentA1: string;
  let formId: number;

  beforeAll(async () => {
    t = await auditApp();
    [hr, manager, auditor, auditor2, agentA1] = await Promise.all([
      t.login('hr'),
      t.login('manager'),
      t.login('auditor', { email: 'auditor@test.yardstick' }),
      t.login('auditor', { email: 'auditor2@test.yardstick' }),
      t.login('agent', { agentId: 'A1' }),
    ]);
    formId = await defaultFormId(t, auditor);
  });
  afterAll(() => t.close());

  const post = (url: string, token: string, body: object = {}) => t.http.post(url).set(bearer(token)).send(body);
  const put = (url: string, token: string, body: object) => t.http.put(url).set(bearer(token)).send(body);
  const get = (url: string, token: string) => t.http.get(url).set(bearer(token));
  const submission = (over: Record<string, unknown> = {}) => ({
    agent_id: 'A1',
    form_id: formId,
    form_version: 1,
    channel: 'phone',
    visited_at: '2026-10-14T10:30:00Z',
    answers: defaultAnswers(),
    ...over,
  });
  const errorsOf = async (body: object) => {
    const res = await post('/api/v1/audits', auditor, body).expect(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 422, title: 'Unprocessable Content' });
    return res.body.errors as { field: string; value?: unknown; reason: string }[];
  };

  describe('forms', () => {
    it('the default phone/chat form is seeded once, with sections and critical criteria', async () => {
      const res = await get('/api/v1/audit-forms', auditor).expect(200);
      expect(res.body.forms).toHaveLength(1);
      const f = res.body.forms[0];
      expect(f).toMatchObject({ form_id: formId, version: 1, name: 'Service audit (phone / chat)', channels: ['phone', 'chat'], status: 'active', latest: true, seeded: true, created_by: 'seed' });
      expect(f.sections.map((s: { id: string }) => s.id)).toEqual(['opening', 'needs', 'resolution', 'manner']);
      const crits = f.sections.flatMap((s: { criteria: { id: string; critical: boolean }[] }) => s.criteria);
      expect(crits).toHaveLength(11);
      expect(crits.filter((c: { critical: boolean }) => c.critical).map((c: { id: string }) => c.id)).toEqual(['identity_check', 'accurate_information']);
    });

    it('creating a form validates every field and names it', async () => {
      const res = await post('/api/v1/audit-forms', hr, {
        name: 'Broken',
        sections: [{ id: 'a', title: 'A', criteria: [{ id: 'x', label: 'X', type: 'yes_no', weight: 0, critical: false, allow_na: false }, { id: 'x', label: 'Y', type: 'stars', weight: 1, critical: false, allow_na: false }] }],
      }).expect(422);
      expect(res.body.errors).toEqual([
        { field: 'sections[0].criteria[0].weight', value: 0, reason: 'must be a number > 0' },
        { field: 'sections[0].criteria[1].type', value: 'stars', reason: 'must be one of yes_no, scale' },
        { field: 'sections[0].criteria[1].id', value: 'x', reason: 'criterion id x is already used by sections[0].criteria[0]; ids are unique across the form' },
      ]);
      await post('/api/v1/audit-forms', hr, { name: 'No sections' }).expect(422);
      await post('/api/v1/audit-forms', auditor, { name: 'Nope', sections: [] }).expect(403);
    });

    it('an edit makes a new version and retires the old one; old versions never change; retired versions are refused for new audits', async () => {
      const def = {
        name: 'Store visit',
        channels: ['store'],
        sections: [{ id: 'visit', title: 'Visit', criteria: [{ id: 'welcome', label: 'Welcomes', type: 'yes_no', weight: 1, critical: false, allow_na: false }] }],
      };
      const created = await post('/api/v1/audit-forms', manager, def).expect(201);
      const id = created.body.form_id;
      expect(created.body).toMatchObject({ version: 1, status: 'active', seeded: false, created_by: expect.stringMatching(/^manager/) });
      // an audit on version 1 (a draft)
      const draft = await post('/api/v1/audits', auditor, submission({ form_id: id, channel: 'store', answers: [{ criterion_id: 'welcome', value: 'yes' }] })).expect(201);
      expect(draft.body.form).toMatchObject({ form_id: id, version: 1 });

      const v2def = { ...def, sections: [{ ...def.sections[0], criteria: [...def.sections[0].criteria, { id: 'tidy', label: 'Tidy shop', type: 'scale', weight: 2, critical: false, allow_na: true }] }] };
      const edited = await put(`/api/v1/audit-forms/${id}`, hr, v2def).expect(200);
      expect(edited.body).toMatchObject({ version: 2, status: 'active', latest: true });
      expect(edited.body.versions.map((v: { version: number; status: string; retired_reason: string | null; audits: number }) => [v.version, v.status, v.retired_reason, v.audits])).toEqual([
        [1, 'retired', 'superseded by version 2', 1],
        [2, 'active', null, 0],
      ]);
      // PUT of the same definition changes nothing
      expect((await put(`/api/v1/audit-forms/${id}`, hr, v2def).expect(200)).body.version).toBe(2);
      // version 1 is unchanged
      const v1 = await get(`/api/v1/audit-forms/${id}/versions/1`, auditor).expect(200);
      expect(v1.body.sections[0].criteria.map((c: { id: string }) => c.id)).toEqual(['welcome']);
      expect(v1.body).toMatchObject({ status: 'retired', latest: false });
      // new audits on version 1 are refused; version 2 works
      const errors = await errorsOf(submission({ form_id: id, channel: 'store', answers: [{ criterion_id: 'welcome', value: 'yes' }] }));
      expect(errors).toEqual([{ field: 'form_version', value: 1, reason: `version 1 of audit form ${id} is retired (superseded by version 2); use version 2` }]);
      await post('/api/v1/audits', auditor, submission({ form_id: id, form_version: 2, channel: 'store', answers: [{ criterion_id: 'welcome', value: 'yes' }, { criterion_id: 'tidy', value: 4 }] })).expect(201);
      // the draft on version 1 can still be edited on its own version
      const kept = await put(`/api/v1/audits/${draft.body.audit_id}`, auditor, submission({ form_id: id, channel: 'store', answers: [{ criterion_id: 'welcome', value: 'no' }] })).expect(200);
      expect(kept.body).toMatchObject({ score: 0, form: { version: 1 } });
      // the database refuses to change a version
      const c = new Client({ connectionString: t.databaseUrl });
      await c.connect();
      await expect(c.query(`update audit_form_versions set name = 'x' where form_id = $1`, [id])).rejects.toThrow(/immutable/);
      await c.end();
      // retire the form: its latest version is refused too
      const retired = await post(`/api/v1/audit-forms/${id}/retire`, hr, { reason: 'store audits stopped' }).expect(200);
      expect(retired.body).toMatchObject({ version: 2, status: 'retired', retired_reason: 'store audits stopped' });
      await post(`/api/v1/audit-forms/${id}/retire`, hr, {}).expect(409);
      const e2 = await errorsOf(submission({ form_id: id, form_version: 2, channel: 'store', answers: [{ criterion_id: 'welcome', value: 'yes' }, { criterion_id: 'tidy', value: 4 }] }));
      expect(e2).toEqual([{ field: 'form_version', value: 2, reason: `version 2 of audit form ${id} is retired (store audits stopped)` }]);
      const active = await get('/api/v1/audit-forms?status=active', auditor).expect(200);
      expect(active.body.forms.map((f: { form_id: number }) => f.form_id)).not.toContain(id);
      await get('/api/v1/audit-forms/9999', auditor).expect(404);
      await get(`/api/v1/audit-forms/${id}/versions/7`, auditor).expect(404);
      await get('/api/v1/audit-forms/abc', auditor).expect(404);
    });
  });

  describe('validation names the exact problem', () => {
    it('unknown form, unknown version, unknown agent', async () => {
      expect(await errorsOf(submission({ form_id: 999 }))).toEqual([{ field: 'form_id', value: 999, reason: 'unknown audit form 999' }]);
      expect(await errorsOf(submission({ form_version: 5 }))).toEqual([{ field: 'form_version', value: 5, reason: `audit form ${formId} has no version 5 (versions 1–1)` }]);
      expect(await errorsOf(submission({ agent_id: 'NOPE' }))).toEqual([{ field: 'agent_id', value: 'NOPE', reason: 'unknown agent "NOPE"' }]);
    });

    it('a criterion missing, answered twice, unknown, a value outside its type, N/A where not allowed', async () => {
      const answers = defaultAnswers({ listening: 7, greeting: 'na' }).filter((a) => a.criterion_id !== 'closing');
      answers.push({ criterion_id: 'courtesy', value: 4 }, { criterion_id: 'smile', value: 'yes' });
      const errors = await errorsOf(submission({ answers }));
      expect(errors).toEqual([
        { field: 'answers[0].value', value: 'na', reason: 'criterion "greeting": N/A is not allowed for this criterion; give "yes" or "no"' },
        { field: 'answers[2].value', value: 7, reason: 'criterion "listening": a scale criterion takes an integer from 1 to 5, got 7' },
        { field: 'answers[10].criterion_id', value: 'courtesy', reason: 'criterion "courtesy" is answered twice (answers[8] and answers[10]); answer each criterion once' },
        { field: 'answers[11].criterion_id', value: 'smile', reason: 'unknown criterion "smile": not in this form version' },
        { field: 'answers', value: 'closing', reason: 'criterion "closing" (section "manner": "Offers further help and closes politely") is not answered; give "yes" or "no"' },
      ]);
    });

    it('visited_at: format, future (injected clock), before the agent was hired; an agent who has left', async () => {
      expect(await errorsOf(submission({ visited_at: '2026-10-14 10:30' }))).toEqual([
        { field: 'visited_at', value: '2026-10-14 10:30', reason: 'must be an ISO 8601 date-time with a UTC offset, e.g. 2026-10-14T10:30:00Z' },
      ]);
      expect((await errorsOf(submission({ visited_at: '2026-02-30T10:00:00Z' })))[0].field).toBe('visited_at');
      expect(await errorsOf(submission({ visited_at: '2026-11-10T12:00:01Z' }))).toEqual([
        { field: 'visited_at', value: '2026-11-10T12:00:01Z', reason: `is in the future (now is ${NOW.toISOString()})` },
      ]);
      // exactly now is not in the future
      await post('/api/v1/audits', auditor, submission({ visited_at: '2026-11-10T13:00:00+01:00' })).expect(201);
      // A4 was hired 2026-10-15
      expect(await errorsOf(submission({ agent_id: 'A4', visited_at: '2026-10-14T23:59:59Z' }))).toEqual([
        { field: 'visited_at', value: '2026-10-14T23:59:59Z', reason: 'the visit (2026-10-14) is before agent A4 was hired (2026-10-15)' },
      ]);
      await post('/api/v1/audits', auditor, submission({ agent_id: 'A4', visited_at: '2026-10-15T00:00:00Z' })).expect(201);
      // A5 left on 2026-09-20: a visit that day is fine, the day after is refused
      await post('/api/v1/audits', auditor, submission({ agent_id: 'A5', visited_at: '2026-09-20T18:00:00Z' })).expect(201);
      expect(await errorsOf(submission({ agent_id: 'A5', visited_at: '2026-09-21T09:00:00Z' }))).toEqual([
        { field: 'agent_id', value: 'A5', reason: 'agent A5 left on 2026-09-20, before the visit (2026-09-21)' },
      ]);
    });

    it('shape errors come from the validation pipe as 422 too', async () => {
      const res = await post('/api/v1/audits', auditor, { ...submission(), channel: 'pigeon', extra: 1 }).expect(422);
      expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['channel', 'extra']);
    });
  });

  describe('drafts, edits, finalising, voiding and the log', () => {
    it('create → edit → finalise; every step in the log with before and after; a final audit cannot be edited', async () => {
      const created = await post('/api/v1/audits', auditor, submission({ summary: 'first draft' })).expect(201);
      const a = created.body;
      expect(a).toMatchObject({ status: 'draft', disputed: false, score: 100, auto_failed: false, revision: 1, agent: { agent_id: 'A1', name: 'Ana Silva', team_id: 'T-E1' }, auditor: { email: 'auditor@test.yardstick' }, finalized_at: null });
      expect(a.created_at).toBe(NOW.toISOString());
      expect(a.answers).toHaveLength(11);
      // edit: accurate_information = no → auto-fail, recording the failed criterion
      const edited = await put(`/api/v1/audits/${a.audit_id}`, auditor, submission({ answers: defaultAnswers({ accurate_information: 'no' }), summary: 'second look' })).expect(200);
      expect(edited.body).toMatchObject({ score: 0, auto_failed: true, revision: 2, summary: 'second look' });
      expect(edited.body.failed_criteria).toEqual([{ criterion_id: 'accurate_information', section_id: 'resolution', label: 'Gives correct and complete information' }]);
      expect(edited.body.score_before_auto_fail).toBeCloseTo((100 * 18) / 22, 10); // Σw = 2+1+3+2+2+4+3+1+2+1+1 = 22; accurate (w 4) scores 0 → 18/22
      // another auditor cannot touch it
      await put(`/api/v1/audits/${a.audit_id}`, auditor2, submission()).expect(403);
      await post(`/api/v1/audits/${a.audit_id}/finalize`, auditor2).expect(403);
      const fin = await post(`/api/v1/audits/${a.audit_id}/finalize`, auditor).expect(200);
      expect(fin.body).toMatchObject({ status: 'final', revision: 3, finalized_at: NOW.toISOString() });
      await put(`/api/v1/audits/${a.audit_id}`, auditor, submission()).expect(409);
      await post(`/api/v1/audits/${a.audit_id}/finalize`, auditor).expect(409);
      expect(fin.body.history.map((h: { action: string; status: string; score: number }) => [h.action, h.status, h.score])).toEqual([
        ['create', 'draft', 100],
        ['edit', 'draft', 0],
        ['finalize', 'final', 0],
      ]);

      const log = await get(`/api/v1/audits/${a.audit_id}/log`, hr).expect(200);
      expect(log.body.entries.map((e: { action: string }) => e.action)).toEqual(['create', 'edit', 'finalize']);
      const [c, e, f] = log.body.entries;
      expect(c).toMatchObject({ entity_type: 'audit', entity_id: a.audit_id, actor: 'auditor@test.yardstick', at: NOW.toISOString(), before: null });
      expect(c.after).toMatchObject({ status: 'draft', score: 100, summary: 'first draft' });
      expect(e.before).toMatchObject({ score: 100, summary: 'first draft', revision: 1 });
      expect(e.after).toMatchObject({ score: 0, auto_failed: true, failed_criteria: ['accurate_information'], summary: 'second look', revision: 2 });
      expect(f.before.status).toBe('draft');
      expect(f.after.status).toBe('final');
      // the log is for hr and admins
      await get(`/api/v1/audits/${a.audit_id}/log`, manager).expect(403);
      await get(`/api/v1/audits/${a.audit_id}/log`, auditor).expect(403);
      const page = await get(`/api/v1/audit-log?entity_type=audit&entity_id=${a.audit_id}`, hr).expect(200);
      expect(page.body.entries.map((x: { action: string }) => x.action)).toEqual(['finalize', 'edit', 'create']);
      // and the database refuses to change it
      const client = new Client({ connectionString: t.databaseUrl });
      await client.connect();
      await expect(client.query('delete from audit_log')).rejects.toThrow(/immutable/);
      await client.end();
    });

    it('an all-N/A audit has no score: saved as a draft, refused on finalising', async () => {
      const form = await post('/api/v1/audit-forms', hr, {
        name: 'Optional things',
        sections: [{ id: 's', title: 'S', criteria: [{ id: 'a', label: 'A', type: 'yes_no', weight: 1, critical: false, allow_na: true }, { id: 'b', label: 'B', type: 'scale', weight: 1, critical: true, allow_na: true }] }],
      }).expect(201);
      const draft = await post('/api/v1/audits', auditor, submission({ form_id: form.body.form_id, answers: [{ criterion_id: 'a', value: 'na' }, { criterion_id: 'b', value: 'na' }] })).expect(201);
      expect(draft.body).toMatchObject({ score: null, auto_failed: false, applicable_weight: 0 });
      const res = await post(`/api/v1/audits/${draft.body.audit_id}/finalize`, auditor).expect(422);
      expect(res.body.errors[0]).toMatchObject({ field: 'answers', reason: expect.stringContaining('every criterion is N/A') });
    });

    it('voiding: an auditor discards their own draft; only hr/managers void a final audit, with a reason', async () => {
      const draft = await makeAudit(t, auditor, formId, { agent: 'A2', visited: '2026-10-03T09:00:00Z', finalize: false });
      await post(`/api/v1/audits/${draft.audit_id}/void`, auditor2, { reason: 'not mine' }).expect(403);
      const v = await post(`/api/v1/audits/${draft.audit_id}/void`, auditor, { reason: 'duplicate' }).expect(200);
      expect(v.body).toMatchObject({ audit: { status: 'voided', void_reason: 'duplicate' }, republished: null });
      const fin = await makeAudit(t, auditor, formId, { agent: 'A2', visited: '2026-10-04T09:00:00Z' });
      await post(`/api/v1/audits/${fin.audit_id}/void`, auditor, { reason: 'oops' }).expect(403);
      await post(`/api/v1/audits/${fin.audit_id}/void`, manager, {}).expect(422);
      const mv = await post(`/api/v1/audits/${fin.audit_id}/void`, manager, { reason: 'entered for the wrong agent' }).expect(200);
      expect(mv.body.audit).toMatchObject({ status: 'voided', voided_at: NOW.toISOString(), void_reason: 'entered for the wrong agent' });
      expect(mv.body.republished).toBeNull(); // October is not published here
      await post(`/api/v1/audits/${fin.audit_id}/void`, manager, { reason: 'again' }).expect(409);
      const log = await get(`/api/v1/audits/${fin.audit_id}/log`, hr).expect(200);
      expect(log.body.entries.at(-1)).toMatchObject({ action: 'void', before: { status: 'final' }, after: { status: 'voided', void_reason: 'entered for the wrong agent' } });
    });

    it('the audited agent reads their final audits without the auditor’s identity, never drafts', async () => {
      const draft = await makeAudit(t, auditor, formId, { agent: 'A1', visited: '2026-10-06T09:00:00Z', finalize: false });
      const fin = await makeAudit(t, auditor, formId, { agent: 'A1', visited: '2026-10-07T09:00:00Z', values: { listening: 3 } });
      await get(`/api/v1/audits/${draft.audit_id}`, agentA1).expect(403);
      const mine = await get(`/api/v1/audits/${fin.audit_id}`, agentA1).expect(200);
      expect(mine.body).toMatchObject({ status: 'final', auditor: null });
      expect(mine.body.history.every((h: { by: string | null }) => h.by === null)).toBe(true);
      const list = await get('/api/v1/audits?limit=500', agentA1).expect(200);
      const ids = list.body.audits.map((x: { audit_id: number }) => x.audit_id);
      expect(ids).toContain(fin.audit_id);
      expect(ids).not.toContain(draft.audit_id);
      expect(list.body.audits.every((x: { agent: { agent_id: string }; status: string }) => x.agent.agent_id === 'A1' && x.status !== 'draft')).toBe(true);
    });

    it('lists with filters and keyset pages', async () => {
      const all = await get('/api/v1/audits?limit=500', hr).expect(200);
      const n = all.body.audits.length;
      expect(n).toBeGreaterThan(5);
      const ids = all.body.audits.map((x: { audit_id: number }) => x.audit_id);
      expect([...ids].sort((a: number, b: number) => b - a)).toEqual(ids);
      const seen: number[] = [];
      let cursor: string | null = null;
      do {
        const page: { body: { audits: { audit_id: number }[]; next_cursor: string | null } } = await get(`/api/v1/audits?limit=2${cursor ? `&cursor=${cursor}` : ''}`, hr).expect(200);
        seen.push(...page.body.audits.map((x) => x.audit_id));
        cursor = page.body.next_cursor;
      } while (cursor);
      expect(seen).toEqual(ids);
      const sept = await get('/api/v1/audits?period=2026-09', hr).expect(200);
      expect(sept.body.audits.map((x: { agent: { agent_id: string } }) => x.agent.agent_id)).toEqual(['A5']);
      const drafts = await get('/api/v1/audits?status=draft&agent_id=A1&limit=500', hr).expect(200);
      expect(drafts.body.audits.every((x: { status: string; agent: { agent_id: string } }) => x.status === 'draft' && x.agent.agent_id === 'A1')).toBe(true);
      const own = await get('/api/v1/audits?limit=500', auditor2).expect(200);
      expect(own.body.audits).toEqual([]);
      await get('/api/v1/audits?period=2026-13', hr).expect(422);
      await get('/api/v1/audits/424242', hr).expect(404);
    });
  });
});

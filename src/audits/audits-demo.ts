import type { INestApplicationContext } from '@nestjs/common';
import type { Pool } from 'pg';
import type { Principal } from '../auth/principal';
import { PG_POOL } from '../database/database.module';
import { firstDay, lastDay, type Period } from '../periods/domain/period';
import type { Role } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import type { SaveAuditDto } from './audit.dto';
import { AuditFormsService } from './audit-forms.service';
import { AuditsService } from './audits.service';
import { CalibrationService } from './calibration.service';
import { criteriaOf, type FormDefinition } from './domain/audit-form';
import type { AnswerValue } from './domain/audit-scoring';
import { DEFAULT_FORM } from './domain/default-form';
import { DisputesService } from './disputes.service';

export interface DemoAuditsOptions {
  /** the demo's agents; audits go to those employed for the whole period */
  agentIds: string[];
  /** the month the visits fall in (a month that has ended); call before publishing it so its snapshot includes them */
  period: Period;
  /** the auditor who writes the audits (an existing user with role auditor); default auditor@demo.yardstick */
  auditorEmail?: string;
}

export interface DemoAuditUser {
  role: Role;
  email: string;
  password: string;
}

export interface DemoAuditsResult {
  /** false when the demo audits were there already (the function is idempotent) */
  created: boolean;
  form_ids: number[];
  audit_ids: number[];
  auto_fail_audit_id: number | null;
  open_dispute_id: number | null;
  calibration_session_id: number | null;
  /** extra auditors created for the calibration session (print them with the demo users) */
  users: DemoAuditUser[];
}

const DEMO_REF = 'demo:';

/** A second form, edited once so that it has two versions (versioning shows in the demo). */
const STORE_FORM: FormDefinition = {
  name: 'Store visit',
  description: 'Mystery-shopper visit to a service desk.',
  channels: ['store'],
  sections: [
    {
      id: 'visit',
      title: 'Visit',
      criteria: [
        { id: 'welcome', label: 'Welcomes the customer within a minute', type: 'yes_no', weight: 2, critical: false, allow_na: false },
        { id: 'advice', label: 'Gives accurate advice', type: 'scale', weight: 3, critical: true, allow_na: false },
        { id: 'queue', label: 'Manages the queue fairly', type: 'yes_no', weight: 1, critical: false, allow_na: true },
      ],
    },
  ],
};

const EXTRA_AUDITORS: DemoAuditUser[] = [
  { role: 'auditor', email: 'auditor2@demo.yardstick', password: 'demo-auditor2-pass' },
  { role: 'auditor', email: 'auditor3@demo.yardstick', password: 'demo-auditor3-pass' },
];

function answers(over: Partial<Record<string, AnswerValue>>, def: FormDefinition = DEFAULT_FORM) {
  return criteriaOf(def).map((c) => ({ criterion_id: c.id, value: over[c.id] ?? (c.type === 'yes_no' ? 'yes' : 5) }));
}

/**
 * Seeds the demo's mystery-shopper data through the same services the API uses: a second
 * form (two versions), six audits of the default form in `period` (one auto-fail, one with
 * N/A criteria, one left as a draft), an open dispute by the demo agent (the agent linked to
 * an agent user, when there is one among `agentIds`), and a closed calibration session scored
 * by three auditors (two created here). Idempotent: returns created=false when it ran before.
 */
export async function seedDemoAudits(app: INestApplicationContext, opts: DemoAuditsOptions): Promise<DemoAuditsResult> {
  const pool = app.get<Pool>(PG_POOL);
  const forms = app.get(AuditFormsService);
  const audits = app.get(AuditsService);
  const disputes = app.get(DisputesService);
  const calibration = app.get(CalibrationService);
  const users = app.get(UsersService);

  const done = await pool.query<{ id: number }>('select id from audits where interaction_ref like $1 order by id', [`${DEMO_REF}%`]);
  if (done.rowCount) {
    return { created: false, form_ids: [], audit_ids: done.rows.map((r) => r.id), auto_fail_audit_id: null, open_dispute_id: null, calibration_session_id: null, users: EXTRA_AUDITORS };
  }

  const auditorEmail = opts.auditorEmail ?? 'auditor@demo.yardstick';
  const auditor = await principalOf(pool, auditorEmail);
  if (!auditor || auditor.role !== 'auditor') throw new Error(`seedDemoAudits: no auditor user ${auditorEmail}; create the demo users first`);

  // agents employed for the whole period, in the order given
  const employed = await pool.query<{ agent_id: string }>(
    `select agent_id from agents where agent_id = any($1::text[]) and hired_on <= $2::date and (left_on is null or left_on >= $3::date)`,
    [opts.agentIds, firstDay(opts.period), lastDay(opts.period)],
  );
  const ok = new Set(employed.rows.map((r) => r.agent_id));
  const agents = opts.agentIds.filter((a) => ok.has(a));
  if (!agents.length) throw new Error(`seedDemoAudits: none of the given agents was employed throughout ${opts.period}`);
  // the demo agent user (if any) disputes; their audit goes first
  const agentUser = await pool.query<{ id: number; agent_id: string }>(
    `select id, agent_id from users where role = 'agent' and active and agent_id = any($1::text[]) order by id limit 1`,
    [agents],
  );
  const disputer = agentUser.rows[0]?.agent_id ?? agents[0];
  const pick = (i: number) => (i === 0 ? disputer : (agents.filter((a) => a !== disputer)[i - 1] ?? agents[i % agents.length]));

  // changes not made by the auditor are made by the demo's hr user when there is one
  const hr: Principal = { ...((await principalOf(pool, 'hr@demo.yardstick')) ?? { userId: 0, email: 'demo', agentId: null, ledTeamIds: [] }), role: 'hr' };
  const system = { userId: hr.userId || null, email: hr.email };
  const store = await forms.create(STORE_FORM, system);
  await forms.update(store.form_id, { ...STORE_FORM, sections: [{ ...STORE_FORM.sections[0], criteria: [...STORE_FORM.sections[0].criteria, { id: 'farewell', label: 'Says goodbye', type: 'yes_no', weight: 1, critical: false, allow_na: false }] }] }, system);
  const defaultForm = (await forms.list({ activeOnly: true })).find((f) => f.seeded);
  if (!defaultForm) throw new Error('seedDemoAudits: the seeded default audit form is retired');

  const day = (d: number) => `${opts.period}-${String(d).padStart(2, '0')}T10:30:00Z`;
  const specs: { agent: string; day: number; channel: string; values: Partial<Record<string, AnswerValue>>; finalize: boolean; ref: string }[] = [
    { agent: pick(0), day: 4, channel: 'phone', values: { closing: 'no', courtesy: 3, listening: 4 }, finalize: true, ref: 'call 0412' },
    { agent: pick(1), day: 7, channel: 'chat', values: { listening: 4, next_steps: 'na', hold_etiquette: 'na' }, finalize: true, ref: 'chat 7781' },
    { agent: pick(2), day: 11, channel: 'phone', values: { identity_check: 'no', solution: 4 }, finalize: true, ref: 'call 1106' },
    { agent: pick(1), day: 15, channel: 'phone', values: { greeting: 'no', questions: 3, solution: 3 }, finalize: true, ref: 'call 1530' },
    { agent: pick(3), day: 19, channel: 'chat', values: { identity_check: 'na', hold_etiquette: 'na' }, finalize: true, ref: 'chat 1902' },
    { agent: pick(2), day: 24, channel: 'chat', values: { courtesy: 4 }, finalize: false, ref: 'chat 2415' },
  ];
  const ids: number[] = [];
  for (const s of specs) {
    const body: SaveAuditDto = {
      agent_id: s.agent,
      form_id: defaultForm.form_id,
      form_version: defaultForm.version,
      channel: s.channel,
      visited_at: day(s.day),
      interaction_ref: `${DEMO_REF}${s.ref}`,
      summary: null,
      answers: answers(s.values),
    };
    const a = await audits.create(auditor, body);
    if (s.finalize) await audits.finalize(auditor, a.audit_id);
    ids.push(a.audit_id);
  }

  const disputerPrincipal: Principal = agentUser.rows[0]
    ? ((await principalOf(pool, undefined, agentUser.rows[0].id)) as Principal)
    : { userId: 0, email: 'demo', role: 'agent', agentId: disputer, ledTeamIds: [] };
  const dispute = await disputes.open(disputerPrincipal, ids[0], 'I did offer further help at the end of the call — please listen to the last minute of the recording.');

  for (const u of EXTRA_AUDITORS) await users.save({ email: u.email, password: u.password, role: u.role }, { upsert: true });
  const session = await calibration.create(hr, {
    title: 'Calibration: refund call',
    form_id: defaultForm.form_id,
    form_version: defaultForm.version,
    channel: 'phone',
    interaction_ref: `${DEMO_REF}calibration recording 2207`,
    agent_id: pick(1),
  });
  const scorers: [string, Partial<Record<string, AnswerValue>>][] = [
    [auditorEmail, { listening: 4, next_steps: 'no' }],
    [EXTRA_AUDITORS[0].email, { listening: 3, next_steps: 'no', courtesy: 4 }],
    [EXTRA_AUDITORS[1].email, {}], // the lenient one
  ];
  for (const [email, values] of scorers) {
    const p = (await principalOf(pool, email))!;
    await calibration.score(p, session.session_id, answers(values));
  }
  await calibration.close(hr, session.session_id);

  return {
    created: true,
    form_ids: [defaultForm.form_id, store.form_id],
    audit_ids: ids,
    auto_fail_audit_id: ids[2],
    open_dispute_id: dispute.dispute_id,
    calibration_session_id: session.session_id,
    users: EXTRA_AUDITORS,
  };
}

async function principalOf(pool: Pool, email?: string, id?: number): Promise<Principal | null> {
  const r = await pool.query<{ id: number; email: string; role: Role; agent_id: string | null }>(
    'select id, email, role, agent_id from users where active and (lower(email) = lower($1) or id = $2) limit 1',
    [email ?? null, id ?? null],
  );
  const u = r.rows[0];
  return u ? { userId: u.id, email: u.email, role: u.role, agentId: u.agent_id, ledTeamIds: [] } : null;
}

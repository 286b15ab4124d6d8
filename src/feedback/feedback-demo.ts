import type { INestApplicationContext } from '@nestjs/common';
import type { Clock } from '../common/clock';
import type { DemoUser } from '../demo/demo.service';
import { UsersService } from '../users/users.service';
import type { CreateCycleDto, Rating, SaveResponseDto } from './feedback.dto';
import { FeedbackRepository } from './feedback.repository';
import { FeedbackService } from './feedback.service';

export interface DemoFeedbackOptions {
  /** the month the cycle runs in (YYYY-MM; the demo's last complete month): open on the 1st, closed after the 20th */
  endMonth: string;
  /** e-mail of the demo agent user (self-rater of the first subject) */
  agentEmail?: string;
  /** e-mail of the demo team lead (manager-rater) */
  leadEmail?: string;
}

export interface DemoFeedbackSeed {
  cycle_id: number;
  /** false when the cycle was there already (the demo ran before) */
  created: boolean;
  name: string;
  opens_on: string;
  closes_on: string;
  subjects: string[];
  /** rater accounts created for the demo (print their credentials with the other demo users) */
  users: DemoUser[];
}

const COMPETENCIES = [
  { name: 'Customer focus', description: 'Puts the customer’s problem first', questions: [{ text: 'Understands what the customer really needs' }, { text: 'Follows up until the issue is solved' }] },
  { name: 'Communication', description: null, questions: [{ text: 'Explains clearly and kindly' }, { text: 'Listens before answering' }] },
  { name: 'Teamwork', description: null, questions: [{ text: 'Helps colleagues on busy days' }] },
];

/** Ratings per question (5 questions), deterministic; 0 = cannot rate. */
const RATINGS: Record<string, (1 | 2 | 3 | 4 | 5 | 0)[]> = {
  self: [4, 4, 5, 4, 4],
  manager: [4, 5, 4, 3, 4],
  peer1: [5, 4, 4, 4, 5],
  peer2: [4, 4, 3, 4, 5],
  peer3: [4, 5, 5, 4, 0],
  report1: [3, 4, 4, 3, 4],
  report2: [4, 3, 4, 4, 3],
  customer1: [5, 5, 4, 5, 0],
  // the second subject
  self2: [3, 3, 4, 3, 3],
  manager2: [3, 4, 3, 3, 4],
  peerA: [4, 4, 4, 3, 4],
  peerB: [2, 3, 3, 2, 3],
};

const COMMENTS: Record<string, { general?: string; competency?: [number, string] }> = {
  self: { general: 'I want to get better at handling complaints calmly.' },
  manager: { general: 'Consistently strong with customers; next step: coaching newer colleagues.' },
  peer1: { general: 'Always willing to help on busy days.' },
  peer3: { competency: [1, 'Explains complex offers in plain words.'] },
  report1: { general: 'Gives clear, kind feedback.' },
  customer1: { general: 'Resolved my escalation within the hour.' },
  // hidden in the results: only two peers answered for the second subject
  peerB: { general: 'Sometimes rushes the end of calls.' },
};

/**
 * Seeds the demo's 360 cycle: one closed cycle in `endMonth` with two subjects and
 * responses that show every rule — the first subject has a shown peer group (3 of 4
 * answered), direct reports (2) and a customer (1) folded together into "others", self and
 * manager; the second has only two peers, so they are hidden, comment included.
 *
 * Raters are users: the demo's agent and team lead, plus rater accounts created here and
 * linked to other agents (returned with their passwords). Idempotent: a second run finds the
 * cycle by name and only refreshes the accounts. Call it after the demo users exist and
 * before publishing the month, so the published scorecards include feedback_360_score.
 */
export async function seedDemoFeedback(app: INestApplicationContext, opts: DemoFeedbackOptions): Promise<DemoFeedbackSeed> {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(opts.endMonth)) throw new Error(`endMonth must be YYYY-MM, got ${JSON.stringify(opts.endMonth)}`);
  const repo = app.get(FeedbackRepository);
  const usersService = app.get(UsersService);
  const live = app.get(FeedbackService);
  const name = `Demo 360 ${opts.endMonth}`;
  const opensOn = `${opts.endMonth}-01`;
  const closesOn = `${opts.endMonth}-20`;

  const [agentUser] = await repo.usersByEmails([opts.agentEmail ?? 'agent@demo.yardstick']);
  const [leadUser] = await repo.usersByEmails([opts.leadEmail ?? 'lead@demo.yardstick']);
  const working = await repo.agentsWorkingOn(closesOn);
  const subject1 = working.find((a) => a.agent_id === agentUser?.agent_id) ?? working[0];
  if (!subject1) throw new Error('the demo 360 cycle needs agents: import the demo data first');
  // raters' agents: the subject's team first, then everyone else; reused when there are few agents
  const others = [...working.filter((a) => a.agent_id !== subject1.agent_id && a.team_id === subject1.team_id), ...working.filter((a) => a.team_id !== subject1.team_id)];
  if (!others.length) throw new Error('the demo 360 cycle needs at least two agents');
  const pick = (i: number) => others[i % others.length];

  // rater accounts (agent users linked to other agents); the subject's own user is created if missing
  const specs: { key: string; agentId: string }[] = [
    { key: 'peer1', agentId: pick(0).agent_id },
    { key: 'peer2', agentId: pick(1).agent_id },
    { key: 'peer3', agentId: pick(2).agent_id },
    { key: 'peer4', agentId: pick(3).agent_id },
    { key: 'report1', agentId: pick(4).agent_id },
    { key: 'report2', agentId: pick(5).agent_id },
    { key: 'customer1', agentId: pick(6).agent_id },
    { key: 'customer2', agentId: pick(7).agent_id },
  ];
  const users: DemoUser[] = [];
  const emailOf = new Map<string, string>();
  for (const s of specs) {
    const u: DemoUser = { role: 'agent', email: `${s.key}@demo.yardstick`, password: `demo-${s.key}-pass`, agent_id: s.agentId, team_ids: [] };
    await usersService.save({ email: u.email, password: u.password, role: 'agent', agentId: s.agentId, teamIds: [] }, { upsert: true });
    users.push(u);
    emailOf.set(s.key, u.email);
  }
  let selfEmail = agentUser?.agent_id === subject1.agent_id ? agentUser.email : null;
  if (!selfEmail) {
    const u: DemoUser = { role: 'agent', email: 'self@demo.yardstick', password: 'demo-self-pass', agent_id: subject1.agent_id, team_ids: [] };
    await usersService.save({ email: u.email, password: u.password, role: 'agent', agentId: u.agent_id, teamIds: [] }, { upsert: true });
    users.push(u);
    selfEmail = u.email;
  }
  const managerEmail = leadUser?.email ?? null;

  const existing = await repo.cycleByName(name);
  const subject2 = specs[0].agentId;
  const subjects = subject2 === subject1.agent_id ? [subject1.agent_id] : [subject1.agent_id, subject2];
  if (existing) {
    return { cycle_id: existing.id, created: false, name, opens_on: existing.opens_on, closes_on: existing.closes_on, subjects, users };
  }

  // the cycle is created and answered "during" the month, on a clock of its own
  const during = new Date(`${opensOn}T12:00:00Z`);
  const clock: Clock = { now: () => new Date(during) };
  const svc = live.withClock(clock);
  const s1 = subject1.agent_id;
  type Assign = { key: string; subject: string; group: CreateCycleDto['assignments'][number]['group']; email: string };
  const assignments: Assign[] = [
    { key: 'self', subject: s1, group: 'self', email: selfEmail },
    ...(managerEmail ? [{ key: 'manager', subject: s1, group: 'manager' as const, email: managerEmail }] : []),
    ...(['peer1', 'peer2', 'peer3', 'peer4'] as const).map((k) => ({ key: k, subject: s1, group: 'peer' as const, email: emailOf.get(k)! })),
    ...(['report1', 'report2'] as const).map((k) => ({ key: k, subject: s1, group: 'direct_report' as const, email: emailOf.get(k)! })),
    ...(['customer1', 'customer2'] as const).map((k) => ({ key: k, subject: s1, group: 'customer' as const, email: emailOf.get(k)! })),
  ];
  if (subjects.length === 2) {
    // the second subject: its own user (peer1) rates itself; two peers whose agent is not subject2
    const peerB = specs.slice(1).find((s) => s.agentId !== subject2);
    assignments.push({ key: 'self2', subject: subject2, group: 'self', email: emailOf.get('peer1')! });
    if (managerEmail) assignments.push({ key: 'manager2', subject: subject2, group: 'manager', email: managerEmail });
    assignments.push({ key: 'peerA', subject: subject2, group: 'peer', email: selfEmail });
    if (peerB) assignments.push({ key: 'peerB', subject: subject2, group: 'peer', email: emailOf.get(peerB.key)! });
  }
  const dto: CreateCycleDto = {
    name,
    opens_on: opensOn,
    closes_on: closesOn,
    competencies: COMPETENCIES.map((c) => ({ ...c, questions: c.questions.map((q) => ({ ...q })) })),
    subjects,
    assignments: assignments.map((a) => ({ subject_agent_id: a.subject, group: a.group, rater_email: a.email })),
  };
  const cycleId = await svc.createCycle(dto, null);

  const competencies = await repo.competencies(cycleId);
  const questions = competencies.flatMap((c) => c.questions.map((q) => q.id));
  // who answers: everyone but peer4 and customer2 (so that the groups fold as described)
  for (const a of assignments) {
    if (a.key === 'peer4' || a.key === 'customer2') continue;
    const [u] = await repo.usersByEmails([a.email]);
    const principal = { userId: u.id, email: u.email, role: u.role as DemoUser['role'], agentId: u.agent_id, ledTeamIds: [] };
    const ratings = RATINGS[a.key];
    const note = COMMENTS[a.key] ?? {};
    const body: SaveResponseDto = {
      answers: questions.map((question_id, i) => ({ question_id, rating: (ratings[i] === 0 ? 'cannot_rate' : ratings[i]) as Rating })),
      comment: note.general ?? null,
      competency_comments: note.competency ? [{ competency_id: competencies[note.competency[0]].id, text: note.competency[1] }] : [],
    };
    await svc.saveResponse(cycleId, a.subject, body, principal);
  }
  // the cycle is over by now: record its close for the KPI data version
  await live.markClosedCycles();
  return { cycle_id: cycleId, created: true, name, opens_on: opensOn, closes_on: closesOn, subjects, users };
}

import { simpleParser, type ParsedMail } from 'mailparser';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Client } from 'pg';
import { SMTPServer } from 'smtp-server';

export const sha256 = (b: Buffer | Uint8Array) => createHash('sha256').update(b).digest('hex');

/** A mail the test SMTP server accepted, parsed. */
export interface ReceivedMail {
  rcptTo: string[];
  mail: ParsedMail;
}

export type RejectRule = (rcpt: string, attempt: number) => { code: number; message: string } | null;

/** A real SMTP server in this process (smtp-server) on a random port; `reject` decides per RCPT TO. */
export interface TestSmtp {
  url: string;
  received: ReceivedMail[];
  /** RCPT TO commands seen per address (accepted or not). */
  rcptAttempts: Map<string, number>;
  reject: RejectRule;
  close(): Promise<void>;
}

export async function startSmtp(): Promise<TestSmtp> {
  const received: ReceivedMail[] = [];
  const rcptAttempts = new Map<string, number>();
  const state: TestSmtp = {
    url: '',
    received,
    rcptAttempts,
    reject: () => null,
    close: async () => undefined,
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: 50 * 1024 * 1024,
    onRcptTo(address, _session, cb) {
      const a = address.address.toLowerCase();
      const n = (rcptAttempts.get(a) ?? 0) + 1;
      rcptAttempts.set(a, n);
      const r = state.reject(a, n);
      if (r) return cb(Object.assign(new Error(r.message), { responseCode: r.code }));
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        simpleParser(Buffer.concat(chunks))
          .then((mail) => {
            received.push({ rcptTo: session.envelope.rcptTo.map((r) => r.address.toLowerCase()), mail });
            cb();
          })
          .catch((err: Error) => cb(err));
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  state.url = `smtp://127.0.0.1:${port}`;
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}

export interface SeededReport {
  id: number;
  snapshotId: number;
  subjectType: 'agent' | 'team';
  subjectId: string;
  teamId: string;
  path: string;
  sha256: string;
  bytes: Buffer;
}

/**
 * The organisation of the delivery tests:
 *
 *     N  (North)          S (South)        E (Empty: no agents, no report)
 *     └─ N1 (North-1)
 *
 * agents a1 (N), a2 (N1, a CJK name), a3 (S); a run row; and for `snapshotId` one report per
 * team N, N1, S and agent a1, a2, a3, each a small real file under `reportsDir` with its sha256.
 */
export async function seedOrganisation(databaseUrl: string): Promise<void> {
  await withClient(databaseUrl, async (c) => {
    await c.query(`insert into teams (team_id, name, parent_team_id) values ('N', 'North', null), ('N1', 'North-1', 'N'), ('S', 'South', null), ('E', 'Empty', null)`);
    await c.query(
      `insert into agents (agent_id, name, email, team_id, title, hired_on) values
         ('a1', 'Alice Wang', 'a1@crm.example', 'N', null, '2024-01-01'),
         ('a2', '王小明', 'a2@crm.example', 'N1', null, '2024-01-01'),
         ('a3', 'Sam Ortiz', 'a3@crm.example', 'S', null, '2024-01-01')`,
    );
  });
}

export async function insertRun(databaseUrl: string, period = '2026-10'): Promise<number> {
  return withClient(databaseUrl, async (c) => {
    const r = await c.query<{ id: number }>(
      `insert into runs (period, force, status, trigger, created_at) values ($1, false, 'succeeded', 'api', now()) returning id`,
      [period],
    );
    return r.rows[0].id;
  });
}

const SUBJECTS: { subjectType: 'agent' | 'team'; subjectId: string; name: string; teamId: string }[] = [
  { subjectType: 'team', subjectId: 'N', name: 'North', teamId: 'N' },
  { subjectType: 'team', subjectId: 'N1', name: 'North-1', teamId: 'N1' },
  { subjectType: 'team', subjectId: 'S', name: 'South', teamId: 'S' },
  { subjectType: 'agent', subjectId: 'a1', name: 'Alice Wang', teamId: 'N' },
  { subjectType: 'agent', subjectId: 'a2', name: '王小明', teamId: 'N1' },
  { subjectType: 'agent', subjectId: 'a3', name: 'Sam Ortiz', teamId: 'S' },
];

/** Report rows (and their files) of a snapshot; `only` limits the subjects (e.g. ['a3']). */
export async function insertReports(
  databaseUrl: string,
  reportsDir: string,
  snapshotId: number,
  opts: { version?: number; period?: string; only?: string[] } = {},
): Promise<SeededReport[]> {
  const version = opts.version ?? 1;
  const period = opts.period ?? '2026-10';
  const out: SeededReport[] = [];
  await withClient(databaseUrl, async (c) => {
    for (const s of SUBJECTS.filter((x) => !opts.only || opts.only.includes(x.subjectId))) {
      const rel = `${period}/${s.subjectType}s/${s.subjectId}-v${version}-s${snapshotId}.pdf`;
      // a small real file: a PDF header and random bytes, so every report's bytes differ
      const bytes = Buffer.concat([Buffer.from(`%PDF-1.4\n% ${s.subjectType} ${s.subjectId} snapshot ${snapshotId}\n`), randomBytes(2048), Buffer.from('\n%%EOF\n')]);
      mkdirSync(path.dirname(path.join(reportsDir, rel)), { recursive: true });
      writeFileSync(path.join(reportsDir, rel), bytes);
      const digest = sha256(bytes);
      const r = await c.query<{ id: number }>(
        `insert into reports (period, snapshot_id, snapshot_version, subject_type, subject_id, subject_name, team_id, path, sha256, bytes, run_id, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, null, now()) returning id`,
        [period, snapshotId, version, s.subjectType, s.subjectId, s.name, s.teamId, rel, digest, bytes.length],
      );
      out.push({ id: r.rows[0].id, snapshotId, subjectType: s.subjectType, subjectId: s.subjectId, teamId: s.teamId, path: rel, sha256: digest, bytes });
    }
  });
  return out;
}

export async function withClient<T>(databaseUrl: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export async function userId(databaseUrl: string, email: string): Promise<number> {
  return withClient(databaseUrl, async (c) => {
    const r = await c.query<{ id: number }>('select id from users where lower(email) = lower($1)', [email]);
    if (!r.rowCount) throw new Error(`no user ${email}`);
    return r.rows[0].id;
  });
}

/** `2026-10_agent_a1_v1.pdf`, as the mail names a report. */
export const fileName = (r: Pick<SeededReport, 'subjectType' | 'subjectId'>, version = 1, period = '2026-10') =>
  `${period}_${r.subjectType}_${r.subjectId}_v${version}.pdf`;

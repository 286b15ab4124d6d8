/** One PDF of a delivery, as the mail describes it. */
export interface MailReport {
  reportId: number;
  period: string;
  version: number;
  subjectType: 'agent' | 'team';
  subjectId: string;
  subjectName: string | null;
  /** The agent's team, or the team itself. */
  teamId: string | null;
}

export interface DeliveryMailInput {
  period: string;
  version: number;
  reports: readonly MailReport[];
  /** The subscriptions the mail answers, e.g. ['org'], ['team T1', 'self']. */
  scopes: readonly string[];
}

export interface DeliveryMailContent {
  subject: string;
  text: string;
  /** In the order they are listed in the text. */
  attachments: { reportId: number; filename: string }[];
}

const SAFE = /[^A-Za-z0-9._-]/g;

/** `2026-10_agent_a-17_v1.pdf`: ASCII only, so every mail client shows the same name. */
export function attachmentFilename(r: Pick<MailReport, 'period' | 'subjectType' | 'subjectId' | 'version'>): string {
  return `${r.period}_${r.subjectType}_${r.subjectId.replace(SAFE, '_')}_v${r.version}.pdf`;
}

/** Teams first, then agents by team; each by id. */
export function orderReports(reports: readonly MailReport[]): MailReport[] {
  const key = (r: MailReport) => [r.subjectType === 'team' ? 0 : 1, r.subjectType === 'agent' ? (r.teamId ?? '') : '', r.subjectId] as const;
  return [...reports].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < ka.length; i++) {
      if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
    }
    return a.reportId - b.reportId;
  });
}

/**
 * The e-mail of one delivery: subject "Yardstick scorecards 2026-10 (v1)", a plain-text body
 * listing every attached PDF (teams, then agents), and unique attachment names.
 */
export function composeDeliveryMail(input: DeliveryMailInput): DeliveryMailContent {
  const ordered = orderReports(input.reports);
  const used = new Set<string>();
  const attachments = ordered.map((r) => {
    let filename = attachmentFilename(r);
    // two ids that differ only in characters made safe would collide: keep names unique
    if (used.has(filename)) filename = filename.replace(/\.pdf$/, `_r${r.reportId}.pdf`);
    used.add(filename);
    return { reportId: r.reportId, filename };
  });
  const nameOf = new Map(attachments.map((a) => [a.reportId, a.filename]));
  const line = (r: MailReport) => {
    const name = r.subjectName ? ` ${r.subjectName}` : '';
    const team = r.subjectType === 'agent' && r.teamId ? ` (team ${r.teamId})` : '';
    return `  - ${r.subjectId}${name}${team}: ${nameOf.get(r.reportId)}`;
  };
  const teams = ordered.filter((r) => r.subjectType === 'team');
  const agents = ordered.filter((r) => r.subjectType === 'agent');
  const n = ordered.length;
  const text = [
    'Hello,',
    '',
    `the Yardstick scorecards of ${input.period} (snapshot version ${input.version}) are attached: ${n} PDF file${n === 1 ? '' : 's'}.`,
    '',
    ...(teams.length ? [`Teams (${teams.length}):`, ...teams.map(line), ''] : []),
    ...(agents.length ? [`Agents (${agents.length}):`, ...agents.map(line), ''] : []),
    `You receive this e-mail because of your subscription${input.scopes.length === 1 ? '' : 's'}: ${input.scopes.join('; ')}.`,
    'Manage subscriptions with GET/POST/DELETE /api/v1/subscriptions.',
    '',
    '-- ',
    'Yardstick',
    '',
  ].join('\n');
  return { subject: `Yardstick scorecards ${input.period} (v${input.version})`, text, attachments };
}

/** A Message-ID that is the same for every attempt of a delivery, so a receiver can drop a repeat. */
export function deliveryMessageId(runId: number, deliveryId: number, mailFrom: string): string {
  const domain = /@([A-Za-z0-9.-]+)/.exec(mailFrom)?.[1] ?? 'yardstick.localhost';
  return `<yardstick.run${runId}.delivery${deliveryId}@${domain}>`;
}

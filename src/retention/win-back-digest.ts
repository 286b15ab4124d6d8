import type { TaskRow } from './win-back-tasks.repository';

const SIGNAL_LABELS: Record<string, string> = {
  low_p_alive: 'low P(alive)',
  frequency_drop: 'buys less often',
  rising_complaints: 'more complaints',
  falling_contact: 'less contact',
  unhappy: 'unhappy survey',
};

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Why, in a few words: the signals that fired (weekly tasks) or "opened by hand". */
export function reasonOf(t: Pick<TaskRow, 'signals' | 'source'>): string {
  if (!t.signals) return t.source === 'manual' ? 'opened by hand' : '';
  return Object.keys(t.signals)
    .map((k) => SIGNAL_LABELS[k] ?? k)
    .join(', ');
}

/** The digest of an agent's new win-back tasks: subject, plain text and HTML (pure). */
export function digestMail(tasks: TaskRow[]): { subject: string; text: string; html: string } {
  const sorted = [...tasks].sort((a, b) => a.id - b.id);
  const n = sorted.length;
  const name = sorted[0]?.agent_name ?? sorted[0]?.agent_id ?? '';
  const subject = `Yardstick: ${n} new win-back task${n === 1 ? '' : 's'}`;
  const lines = sorted.map(
    (t) =>
      `- Task ${t.id}: ${t.customer_name ? `${t.customer_name} (${t.customer_id})` : t.customer_id}` +
      `${t.tier ? `, ${t.tier} customer` : ''}${t.risk_level ? `, ${t.risk_level} risk` : ''}` +
      `${reasonOf(t) ? ` — ${reasonOf(t)}` : ''}; due ${t.due_on}`,
  );
  const text = [
    `Hello ${name},`,
    '',
    `${n === 1 ? 'A customer' : `${n} customers`} of yours ${n === 1 ? 'shows' : 'show'} signs of leaving. Please get in touch, record each contact attempt and close each task with its outcome:`,
    '',
    ...lines,
    '',
    'A win-back counts when the customer places an order within the confirmation window; Yardstick checks this itself.',
    'GET /api/v1/win-back-tasks?status=open lists your open tasks.',
  ].join('\n');
  const rows = sorted
    .map(
      (t) =>
        `<tr><td>${t.id}</td><td>${esc(t.customer_name ?? '')} (${esc(t.customer_id)})</td><td>${esc(t.tier ?? '')}</td>` +
        `<td>${esc(t.risk_level ?? '')}</td><td>${esc(reasonOf(t))}</td><td>${esc(t.due_on)}</td></tr>`,
    )
    .join('');
  const html =
    `<p>Hello ${esc(name)},</p><p>${n === 1 ? 'A customer' : `${n} customers`} of yours ${n === 1 ? 'shows' : 'show'} signs of leaving. ` +
    'Please get in touch, record each contact attempt and close each task with its outcome.</p>' +
    `<table border="1" cellpadding="4" cellspacing="0"><tr><th>Task</th><th>Customer</th><th>Tier</th><th>Risk</th><th>Why</th><th>Due</th></tr>${rows}</table>` +
    '<p>A win-back counts when the customer places an order within the confirmation window; Yardstick checks this itself.</p>';
  return { subject, text, html };
}

/**
 * The retention sections of the scorecards (issue 7, item 4), from the data frozen with the
 * snapshot (src/retention/domain/retention-section.ts): "Customers at risk" — a level × tier
 * table as of the period's last day, with the not-worth-pursuing marks and the win-back
 * tasks — in both reports, and "Churn reasons" — the customers lost in the period by reason,
 * coloured by controllability — in the team report. Pure.
 */
import { dayBefore } from '../../periods/domain/period';
import {
  CHURN_REASON_KEYS,
  CONTROLLABILITY,
  type ChurnReasonKey,
  type Controllability,
  type RetentionSectionData,
  type TierCounts,
} from '../../retention/domain/retention-section';
import { TIERS, type Tier } from '../../retention/domain/value-tiers';
import { formatCount, periodLabel } from './report-format';
import { CONTROLLABILITY_COLOURS } from './report-theme';
import { complaintCategoryLabel, type ExtraSectionView } from './report-view';

export const AT_RISK_TITLE = 'Customers at risk';
export const CHURN_REASONS_TITLE = 'Churn reasons';

const TIER_LABELS = { key: 'Key', major: 'Major', ordinary: 'Ordinary', small: 'Small' } as const;
const CONTROLLABILITY_LABELS: Readonly<Record<Controllability, string>> = { controllable: 'Controllable', uncontrollable: 'Uncontrollable', unknown: 'Unknown' };

function sum(t: TierCounts): number {
  return t.key + t.major + t.ordinary + t.small + t.none;
}

function plural(n: number, one: string, many: string): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

function reasonLabel(r: ChurnReasonKey): string {
  return r === 'unknown' ? 'unknown' : complaintCategoryLabel(r);
}

/** The level × tier table and its lines. `whose`: whose customers ('owned by the agent', …). */
export function atRiskSection(d: RetentionSectionData, whose: string): ExtraSectionView {
  const r = d.risk;
  const high = sum(r.at_risk.high);
  const medium = sum(r.at_risk.medium);
  const lines = [
    `As of ${d.as_of}, the last day of ${periodLabel(d.period)}: ${formatCount(high + medium)} of ${plural(r.customers, 'active customer', 'active customers')} ${whose} at risk (${formatCount(high)} high, ${formatCount(medium)} medium).`,
  ];
  let table: ExtraSectionView['table'];
  if (d.no_tiers_reason !== null) {
    lines.push(`No tiers: ${d.no_tiers_reason.replace(/\.$/, '')}.`);
    table = {
      header: ['Risk', 'No tier', 'Total'],
      align: ['left', 'right', 'right'],
      rows: [
        ['High', formatCount(r.at_risk.high.none), formatCount(high)],
        ['Medium', formatCount(r.at_risk.medium.none), formatCount(medium)],
        ['At risk', formatCount(r.at_risk.high.none + r.at_risk.medium.none), formatCount(high + medium)],
      ],
    };
  } else {
    const row = (label: string, t: (tier: Tier) => number, total: number) => [label, ...TIERS.map((tier) => formatCount(t(tier))), formatCount(total)];
    table = {
      header: ['Risk', ...TIERS.map((t) => TIER_LABELS[t]), 'Total'],
      align: ['left', ...TIERS.map(() => 'right' as const), 'right'],
      rows: [
        row('High', (t) => r.at_risk.high[t], high),
        row('Medium', (t) => r.at_risk.medium[t], medium),
        row('At risk', (t) => r.at_risk.high[t] + r.at_risk.medium[t], high + medium),
      ],
    };
    const nw = r.not_worth_pursuing;
    lines.push(
      `Not worth pursuing (small tier, many complaints in the last year): ${formatCount(nw.high + nw.medium)} of the customers at risk, ${formatCount(nw.high + nw.medium + nw.low)} in all.`,
    );
  }
  const w = d.win_back;
  const month = periodLabel(d.period);
  lines.push(
    `Win-back tasks: ${formatCount(w.opened)} opened in ${month}; ${formatCount(w.confirmed)} of ${formatCount(w.window_ended)} whose confirmation window ended in ${month} confirmed by an order.`,
  );
  return { title: AT_RISK_TITLE, lines, table };
}

/** Lost customers by churn reason: a table of the reasons that occur and stacked bars by controllability. */
export function churnReasonsSection(d: RetentionSectionData): ExtraSectionView | null {
  const lost = d.lost;
  if (!lost) return null;
  const month = periodLabel(d.period);
  const totals = Object.fromEntries(CONTROLLABILITY.map((c) => [c, CHURN_REASON_KEYS.reduce((s, r) => s + lost.by_reason[r][c], 0)])) as Record<Controllability, number>;
  const rule = `Customers lost in ${month}: active on ${dayBefore(d.period)}, not on ${d.as_of}. Reason: the one recorded on the win-back task closed as lost, else the last complaint's.`;
  if (lost.customers === 0) return { title: CHURN_REASONS_TITLE, lines: [rule, `No customer was lost in ${month}.`] };
  const rowTotal = (r: ChurnReasonKey) => CONTROLLABILITY.reduce((s, c) => s + lost.by_reason[r][c], 0);
  const present = CHURN_REASON_KEYS.filter((r) => rowTotal(r) > 0);
  return {
    title: CHURN_REASONS_TITLE,
    lines: [
      rule,
      `${plural(lost.customers, 'customer', 'customers')} lost: ${formatCount(totals.controllable)} controllable, ${formatCount(totals.uncontrollable)} uncontrollable, ${formatCount(totals.unknown)} unknown.`,
    ],
    table: {
      header: ['Reason', ...CONTROLLABILITY.map((c) => CONTROLLABILITY_LABELS[c]), 'Total'],
      align: ['left', ...CONTROLLABILITY.map(() => 'right' as const), 'right'],
      rows: present.map((r) => [reasonLabel(r), ...CONTROLLABILITY.map((c) => formatCount(lost.by_reason[r][c])), formatCount(rowTotal(r))]),
    },
    stackedChart: {
      title: `Customers lost in ${month} by churn reason (${formatCount(lost.customers)})`,
      labels: CHURN_REASON_KEYS.map(reasonLabel),
      stacks: CONTROLLABILITY.map((c) => ({ label: CONTROLLABILITY_LABELS[c], colour: CONTROLLABILITY_COLOURS[c], values: CHURN_REASON_KEYS.map((r) => lost.by_reason[r][c]) })),
    },
  };
}

function isRetentionData(x: unknown): x is RetentionSectionData {
  return typeof x === 'object' && x !== null && 'risk' in x && 'as_of' in x;
}

/** The agent report's retention section (nothing when the snapshot has none for the agent). */
export function agentRetentionSections(data: unknown): ExtraSectionView[] {
  return isRetentionData(data) ? [atRiskSection(data, 'owned by the agent')] : [];
}

/** The team report's retention sections. */
export function teamRetentionSections(data: unknown): ExtraSectionView[] {
  if (!isRetentionData(data)) return [];
  const churn = churnReasonsSection(data);
  return [atRiskSection(data, "owned by the team's agents (sub-teams included)"), ...(churn ? [churn] : [])];
}

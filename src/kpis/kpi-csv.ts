import { COMPLAINT_CATEGORIES, KPI_KEYS } from './domain/kpi-catalogue';
import type { KpiMap } from './kpi-query.service';

/** RFC 4180 field quoting. */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * One row per agent, one column per KPI value (unrounded); complaints_by_category becomes
 * one column per category and per controllable flag.
 */
export function kpiTableCsv(agents: { agent_id: string; name: string | null; team_id: string | null; kpis: KpiMap }[]): string {
  const columns: string[] = [];
  for (const k of KPI_KEYS) {
    if (k === 'complaints_by_category') {
      for (const c of COMPLAINT_CATEGORIES) columns.push(`complaints_by_category.${c}`);
      for (const c of ['true', 'false', 'unknown']) columns.push(`complaints_by_controllable.${c}`);
    } else columns.push(k);
  }
  const lines = [['agent_id', 'name', 'team_id', ...columns].join(',')];
  for (const a of agents) {
    const cells: unknown[] = [a.agent_id, a.name, a.team_id];
    for (const k of KPI_KEYS) {
      const v = a.kpis[k].value;
      if (k === 'complaints_by_category') {
        const b = v as { by_category: Record<string, number>; by_controllable: Record<string, number> };
        for (const c of COMPLAINT_CATEGORIES) cells.push(b.by_category[c]);
        for (const c of ['true', 'false', 'unknown']) cells.push(b.by_controllable[c]);
      } else cells.push(v);
    }
    lines.push(cells.map(csvField).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

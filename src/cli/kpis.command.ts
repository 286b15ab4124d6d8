import type { Command } from 'commander';
import { KPI_CATALOGUE, KPI_KEYS } from '../kpis/domain/kpi-catalogue';
import { KpiQueryService, type SubjectKpis } from '../kpis/kpi-query.service';
import { PeriodsService } from '../periods/periods.service';
import { isPeriod } from '../periods/domain/period';
import { withApp } from './app-context';

function fmt(v: number | null | undefined, decimals: number): string {
  if (v === null || v === undefined) return '—';
  return v.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

function signed(v: number | null, decimals: number): string {
  if (v === null) return '—';
  return `${v > 0 ? '+' : ''}${fmt(v, decimals)}`;
}

/** A readable table of one subject's KPIs (values rounded for display only). */
export function renderKpiTable(r: SubjectKpis): string {
  const title = r.subject.type === 'org' ? 'organisation' : `${r.subject.type} ${r.subject.id}${r.subject.name ? ` (${r.subject.name})` : ''}`;
  const head = `${title} — ${r.period} — ${r.status}${r.version ? ` v${r.version}` : ''} — definitions v${r.definitions_version}`;
  const rows: string[][] = [['KPI', 'value', 'num / den', 'n', 'previous', 'Δ prev', 'year ago', 'Δ year']];
  let breakdown = '';
  for (const key of KPI_KEYS) {
    const def = KPI_CATALOGUE[key];
    const k = r.kpis[key];
    const d = def.displayDecimals;
    if (key === 'complaints_by_category') {
      const b = k.value as { by_category: Record<string, number> } | null;
      const parts = b ? Object.entries(b.by_category).filter(([, n]) => n > 0).map(([c, n]) => `${c} ${n}`) : [];
      rows.push([def.label + (k.low_sample ? ' *' : ''), `${k.sample_size} (below)`, '', String(k.sample_size), '', '', '', '']);
      breakdown = parts.join(', ') || 'none';
      continue;
    }
    const value = k.value as number | null;
    const unit = def.unit === '%' && value !== null ? '%' : '';
    rows.push([
      def.label + (k.low_sample ? ' *' : ''),
      fmt(value, d) + unit,
      k.numerator !== null && k.denominator !== null ? `${fmt(k.numerator, Number.isInteger(k.numerator) ? 0 : 2)} / ${fmt(k.denominator, 0)}` : '',
      String(k.sample_size),
      fmt(k.previous, d),
      signed(k.delta_previous, d),
      fmt(k.year_ago, d),
      signed(k.delta_year_ago, d),
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r2) => [...r2[i]].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [head, '', line(rows[0]), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.slice(1).map(line), '', `Complaints by category: ${breakdown}`, '* low sample (fewer records than LOW_SAMPLE_MIN)'].join('\n');
}

const period = (v: string) => {
  if (!isPeriod(v)) throw new Error(`--period must be YYYY-MM, got ${JSON.stringify(v)}`);
  return v;
};

export function registerKpiCommands(program: Command): void {
  program
    .command('kpis')
    .description('print the KPIs of the organisation, a team or an agent for a month')
    .requiredOption('--period <YYYY-MM>', 'calendar month', period)
    .option('--agent <id>', 'an agent')
    .option('--team <id>', 'a team (descendants included)')
    .option('--json', 'machine-readable output')
    .action(async (opts: { period: string; agent?: string; team?: string; json?: boolean }) => {
      if (opts.agent && opts.team) throw new Error('give --agent or --team, not both');
      const r = await withApp(async ({ app }) => {
        const q = app.get(KpiQueryService);
        try {
          if (opts.agent) return await q.forSubject(opts.period, 'agent', opts.agent);
          if (opts.team) return await q.forSubject(opts.period, 'team', opts.team);
          return await q.forSubject(opts.period, 'org', null);
        } catch (e) {
          const p = e as { detail?: string; message?: string };
          throw new Error(p.detail ?? p.message ?? String(e));
        }
      }, opts.json);
      console.log(opts.json ? JSON.stringify(r) : renderKpiTable(r));
    });

  program
    .command('publish')
    .description('freeze a month: KPIs and scorecards of every subject as a new snapshot version')
    .requiredOption('--period <YYYY-MM>', 'calendar month', period)
    .option('--reason <text>', 'required when the month is already published')
    .option('--json', 'machine-readable output')
    .action(async (opts: { period: string; reason?: string; json?: boolean }) => {
      const header = await withApp(async ({ app }) => {
        try {
          return await app.get(PeriodsService).publish(opts.period, { reason: opts.reason ?? null, by: 'cli' });
        } catch (e) {
          const p = e as { detail?: string; message?: string };
          throw new Error(p.detail ?? p.message ?? String(e));
        }
      }, opts.json);
      if (opts.json) console.log(JSON.stringify(header));
      else console.log(`published ${header.period} as version ${header.version}${header.reason ? ` (${header.reason})` : ''}`);
    });
}

import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { setTimeout as sleep } from 'node:timers/promises';
import { isPeriod } from '../periods/domain/period';
import { JobQueueService } from '../jobs/job-queue.service';
import { RunsService, type RunView } from '../runs/runs.service';
import { withApp } from './app-context';

/**
 * `run --period YYYY-MM [--force] [--json]` (shared/spec/api.md): the monthly run — compute,
 * publish, render every agent and team, deliver. This process works on the run's jobs itself
 * (other running instances help), showing a progress bar until the run has finished.
 */
export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('the monthly run of a period: compute, publish, render every PDF, deliver')
    .requiredOption('--period <YYYY-MM>', 'the month (it must have ended)')
    .option('--force', 'run again although the period’s run succeeded (new snapshot version, new PDFs)')
    .option('--json', 'machine-readable output')
    .action(async (opts: { period: string; force?: boolean; json?: boolean }) => {
      if (!isPeriod(opts.period)) throw new Error(`--period must be YYYY-MM, got "${opts.period}"`);
      const view = await withApp(async ({ app }) => {
        const runs = app.get(RunsService);
        const { run, created } = await runs.start(opts.period, { force: opts.force ?? false, trigger: 'cli', by: 'cli' });
        if (!created && (run.status === 'succeeded' || run.status === 'failed')) {
          if (!opts.json) console.error(`the run of ${opts.period} already ${run.status} (run ${run.id}); use --force to run it again`);
          return runs.view(run.id);
        }
        await app.get(JobQueueService).startWorkers();
        return follow(runs, run.id, !opts.json && process.stderr.isTTY !== false);
      }, opts.json);
      if (opts.json) console.log(JSON.stringify(view));
      else {
        const d = view.deliveries;
        console.log(
          `run ${view.run_id} of ${view.period}: ${view.status}; snapshot version ${view.snapshot_version ?? '-'}; ` +
            `${view.progress.done}/${view.progress.total} PDFs` +
            (d ? `; ${d.sent} mail(s) sent, ${d.failed} failed` : '') +
            (view.error ? `\n${view.error}` : ''),
        );
      }
      if (view.status === 'failed') process.exitCode = 1;
    });
}

/** Waits for a run to finish, with a progress bar on a terminal. */
export async function follow(runs: RunsService, runId: number, showBar: boolean): Promise<RunView> {
  const bar = showBar
    ? new SingleBar({ format: ' {phase} [{bar}] {value}/{total} PDFs | {duration_formatted}', hideCursor: true, stream: process.stderr }, Presets.shades_classic)
    : null;
  let started = false;
  for (;;) {
    const view = await runs.view(runId);
    const phase = view.status === 'queued' ? 'queued    ' : view.progress.total === 0 ? 'publishing' : view.progress.done < view.progress.total ? 'rendering ' : 'delivering';
    if (bar) {
      if (!started) bar.start(Math.max(view.progress.total, 1), view.progress.done, { phase });
      started = true;
      bar.setTotal(Math.max(view.progress.total, 1));
      bar.update(view.progress.done, { phase });
    }
    if (view.status === 'succeeded' || view.status === 'failed') {
      bar?.stop();
      return view;
    }
    await sleep(300);
  }
}

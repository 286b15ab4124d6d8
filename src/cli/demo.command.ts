import type { Command } from 'commander';
import path from 'node:path';
import { startApp } from '../bootstrap';
import { localDate, previousMonth, systemClock } from '../common/clock';
import { loadConfig } from '../config/app-config';
import { seedDemoAudits } from '../audits/audits-demo';
import { MailerService } from '../delivery/mailer.service';
import { JobQueueService } from '../jobs/job-queue.service';
import { RunsService, type RunView } from '../runs/runs.service';
import { follow } from './run.command';
import { seedDemoRetention } from '../retention/retention-demo';
import { lastDay } from '../periods/domain/period';
import { DemoService, type DemoUser } from '../demo/demo.service';
import { seedDemoFeedback } from '../feedback/feedback-demo';
import { generateDemoData } from '../demo-data/demo-data.generator';
import { cliLogger } from './cli-logger';

const int = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`expected a positive integer, got ${JSON.stringify(v)}`);
  return n;
};
const month = (v: string) => {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(v)) throw new Error(`expected YYYY-MM, got ${JSON.stringify(v)}`);
  return v;
};

export function registerDemoCommands(program: Command): void {
  program
    .command('demo-data')
    .description('write a deterministic demo data set (CSV files of the data contract)')
    .requiredOption('--out <dir>', 'output folder')
    .option('--agents <n>', 'number of agents', int, 50)
    .option('--customers <n>', 'number of customers', int, 20000)
    .option('--months <n>', 'months of history', int, 18)
    .option('--seed <seed>', 'random seed', '1')
    .option('--end <YYYY-MM>', 'last month of data (default: the last complete month)', month)
    .option('--json', 'machine-readable output')
    .action(async (opts: { out: string; agents: number; customers: number; months: number; seed: string; end?: string; json?: boolean }) => {
      const config = loadConfig();
      const endMonth = opts.end ?? previousMonth(localDate(systemClock.now(), config.orgTimezone));
      const started = Date.now();
      const tty = process.stderr.isTTY && !opts.json;
      const result = await generateDemoData({
        out: opts.out,
        agents: opts.agents,
        customers: opts.customers,
        months: opts.months,
        seed: opts.seed,
        endMonth,
        onProgress: tty ? (done, total) => process.stderr.write(`\rgenerating… ${Math.floor((100 * done) / Math.max(total, 1))}%`) : undefined,
      });
      if (tty) process.stderr.write('\n');
      if (opts.json) console.log(JSON.stringify({ out: path.resolve(opts.out), endMonth, ...result }));
      else {
        console.log(`wrote ${path.resolve(opts.out)} (through ${endMonth}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        for (const [file, rows] of Object.entries(result.files)) console.log(`  ${file.padEnd(16)} ${String(rows).padStart(10)} rows`);
      }
    });

  program
    .command('demo')
    .description('the one-command tour: database, demo data, import, users, then serve the API')
    .option('--agents <n>', 'number of agents', int, 50)
    .option('--customers <n>', 'number of customers', int, 20000)
    .option('--months <n>', 'months of history', int, 18)
    .option('--seed <seed>', 'random seed', '1')
    .option('--no-serve', 'stop after setting everything up')
    .action(async (opts: { agents: number; customers: number; months: number; seed: string; serve: boolean }) => {
      const config = loadConfig();
      const log = cliLogger(false);
      const endMonth = previousMonth(localDate(systemClock.now(), config.orgTimezone));
      log.info(`Yardstick demo — database: ${config.databaseUrl ? 'DATABASE_URL' : `embedded PostgreSQL in ${path.resolve(config.dataDir, 'pg')}`}`);
      const running = await startApp(config, log, { listen: false, logs: 'warn' });
      try {
        const demo = running.app.get(DemoService);
        const dir = path.resolve(config.dataDir, 'demo');
        const { generated } = await demo.ensureDataSet({ dir, agents: opts.agents, customers: opts.customers, months: opts.months, seed: opts.seed, endMonth });
        log.info(`${generated ? 'generated' : 'reusing'} demo data in ${dir} (${opts.agents} agents, ${opts.customers} customers, ${opts.months} months through ${endMonth})`);
        const summaries = await demo.importDataSet(dir, (entity) => log.info(`importing ${entity}.csv…`));
        for (const s of summaries) {
          log.info(`  ${s.entity.padEnd(12)} ${String(s.rows).padStart(8)} rows: ${s.inserted} inserted, ${s.updated} updated, ${s.unchanged} unchanged`);
        }
        const users: (DemoUser | { role: string; email: string; password: string; agent_id?: null; team_ids?: string[] })[] = await demo.createUsers();
        // evaluations of the last complete month, before it is published so its snapshot includes them
        const agentIds = await demo.agentIds();
        const audits = await seedDemoAudits(running.app, { agentIds, period: endMonth });
        log.info(
          audits.created
            ? `created ${audits.audit_ids.length} mystery-shopper audits (auto-fail #${audits.auto_fail_audit_id}, open dispute #${audits.open_dispute_id}) and a calibration session`
            : 'mystery-shopper audits already there',
        );
        const feedback = await seedDemoFeedback(running.app, { endMonth });
        log.info(`${feedback.created ? 'created' : 'found'} the closed 360 cycle "${feedback.name}" (#${feedback.cycle_id})`);
        users.push(...audits.users, ...feedback.users);
        await demo.subscribe(users as DemoUser[]);
        // retention: an earlier early-warning list's tasks worked and settled, the current list's tasks open
        const retention = await seedDemoRetention(running.app, { asOf: lastDay(endMonth), windowDays: config.winbackWindowDays });
        log.info(
          retention.created
            ? `early warning as of ${lastDay(endMonth)}: ${retention.listed} customers listed, ${retention.open_task_ids.length} win-back tasks open; ` +
                `${retention.closed_task_ids.length} tasks of the ${retention.earlier_as_of} list closed, ${retention.settled} settled (${retention.confirmed} confirmed win-backs)`
            : 'win-back tasks already there',
        );
        // earlier months first, so the PDFs' 12-month trends have points
        const started = Date.now();
        await demo.publishHistory(endMonth, 11, (period, created) => log.info(`${created ? 'published' : 'already published'} ${period}`));
        log.info(`history published in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        // the monthly run of the last complete month: publish, render every agent and team PDF, mail the subscribers
        const runs = running.app.get(RunsService);
        const { run, created } = await runs.start(endMonth, { trigger: 'cli', by: 'demo' });
        let view: RunView;
        if (created || run.status === 'queued' || run.status === 'running') {
          log.info(`run ${run.id} of ${endMonth}: publishing, rendering and mailing…`);
          await running.app.get(JobQueueService).startWorkers();
          view = await follow(runs, run.id, process.stderr.isTTY === true);
        } else {
          view = await runs.view(run.id);
        }
        log.info(
          `run ${view.run_id} of ${endMonth} ${view.status}: snapshot version ${view.snapshot_version}, ${view.progress.done} PDFs` +
            (view.deliveries ? `, ${view.deliveries.sent} mail(s) sent` : '') +
            (view.error ? ` — ${view.error}` : ''),
        );
        const reportsDir = path.resolve(config.reportsDir, endMonth);
        const mails = running.app.get(MailerService).describe();
        if (opts.serve) await running.app.listen(config.port, '0.0.0.0');
        const url = opts.serve ? running.url.replace(/:\d+$/, `:${(running.app.getHttpServer().address() as { port: number }).port}`) : null;
        console.log('');
        console.log(`PDF scorecards: ${reportsDir}/agents/*.pdf and ${reportsDir}/teams/*.pdf`);
        console.log(`Mails (hr: every PDF, the team lead: their teams', the agent: their own): ${mails}`);
        console.log('');
        console.log('Demo users (for this demo only):');
        for (const u of users) {
          const extra = u.agent_id ? ` agent ${u.agent_id}` : u.team_ids?.length ? ` leads ${u.team_ids.join(', ')}` : '';
          console.log(`  ${u.role.padEnd(10)} ${u.email.padEnd(26)} ${u.password.padEnd(20)}${extra}`);
        }
        if (url) {
          console.log('');
          console.log(`API:  ${url}/api/v1   docs: ${url}/docs   health: ${url}/health`);
          console.log(`Try:  TOKEN=$(curl -s ${url}/api/v1/auth/login -H 'content-type: application/json' -d '{"email":"hr@demo.yardstick","password":"demo-hr-pass"}' | node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token')`);
          console.log(`      curl -s -H "Authorization: Bearer $TOKEN" '${url}/api/v1/org/kpis?period=${endMonth}'`);
          console.log(`CLI:  npm run cli -- kpis --period ${endMonth}`);
          console.log('Press Ctrl-C to stop.');
          await new Promise<void>((resolve) => {
            process.once('SIGINT', resolve);
            process.once('SIGTERM', resolve);
          });
        }
      } finally {
        await running.close();
      }
    });
}

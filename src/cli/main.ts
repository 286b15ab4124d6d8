import 'reflect-metadata';
import { Command } from 'commander';
import { ConfigError, loadConfig } from '../config/app-config';
import { openDatabase } from '../database/open-database';
import { createMigration } from './migration-create.command';
import { cliLogger } from './cli-logger';

/**
 * `npm run cli -- <command>`: the operator's command line. Exit code 0 on success;
 * non-zero with a one-line reason on stderr otherwise; `--json` for machine output.
 */
const program = new Command();
program.name('yardstick').description('Yardstick service-performance evaluation').showHelpAfterError();

program
  .command('migrate')
  .description('apply pending migrations (under the advisory lock)')
  .option('--json', 'machine-readable output')
  .action(async (opts: { json?: boolean }) => {
    const config = loadConfig();
    const log = cliLogger(opts.json);
    const db = await openDatabase(config, log, { migrate: false });
    try {
      const { migrateWithLock } = await import('../database/migrate');
      const applied = await migrateWithLock(db.orm, db.runtime.url);
      if (opts.json) console.log(JSON.stringify({ applied }));
      else console.log(applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}` : 'schema is up to date');
    } finally {
      await db.close();
    }
  });

program
  .command('migration:create')
  .description('(developers) generate a migration from the entity changes')
  .option('--name <name>', 'suffix of the migration name')
  .action(async (opts: { name?: string }) => {
    const file = await createMigration(loadConfig(), opts.name, cliLogger(false));
    console.log(file ? `wrote migrations/${file}` : 'no schema changes');
  });

export async function main(argv: string[]): Promise<void> {
  try {
    await program.parseAsync(argv);
  } catch (err) {
    const msg = err instanceof ConfigError ? err.message : err instanceof Error ? err.message : String(err);
    process.stderr.write(`error: ${msg.split('\n')[0]}\n`);
    process.exitCode = process.exitCode && process.exitCode !== 0 ? process.exitCode : 1;
  }
}

void main(process.argv);

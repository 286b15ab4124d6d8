import 'reflect-metadata';
import { Command } from 'commander';
import { ConfigError, loadConfig } from '../config/app-config';
import { migrateWithLock } from '../database/migrate';
import { openDatabase } from '../database/open-database';
import { openPool } from './app-context';
import { cliLogger } from './cli-logger';
import { registerDemoCommands } from './demo.command';
import { registerImportCommand } from './import.command';
import { registerKpiCommands } from './kpis.command';
import { registerRunCommand } from './run.command';
import { createMigration } from './migration-create.command';
import { registerUsersCreateCommand } from './users-create.command';

/**
 * `npm run cli -- <command>`: the operator's command line (names fixed by shared/spec/api.md).
 * Exit code 0 on success; non-zero with a one-line reason on stderr otherwise; `--json` for machine output.
 */
const program = new Command();
program.name('yardstick').description('Yardstick service-performance evaluation').showHelpAfterError();

program
  .command('migrate')
  .description('apply pending migrations (under the advisory lock)')
  .option('--json', 'machine-readable output')
  .action(async (opts: { json?: boolean }) => {
    const db = await openDatabase(loadConfig(), cliLogger(opts.json), { migrate: false });
    try {
      const applied = await migrateWithLock(db.orm, db.runtime.url);
      if (opts.json) console.log(JSON.stringify({ applied }));
      else console.log(applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}` : 'schema is up to date');
    } finally {
      await db.close();
    }
  });

registerImportCommand(program, { openPool: () => openPool() });
registerUsersCreateCommand(program);
registerDemoCommands(program);
registerKpiCommands(program);
registerRunCommand(program);

program
  .command('migration:create')
  .description('(developers) generate a migration from the entity changes')
  .option('--name <name>', 'suffix of the migration name')
  .action(async (opts: { name?: string }) => {
    const file = await createMigration(loadConfig(), opts.name, cliLogger(false));
    console.log(file ? `wrote migrations/${file}` : 'no schema changes');
  });

async function main(argv: string[]): Promise<void> {
  try {
    await program.parseAsync(argv);
  } catch (err) {
    const msg = err instanceof ConfigError ? err.message : err instanceof Error ? err.message : String(err);
    process.stderr.write(`error: ${msg.split('\n')[0]}\n`);
    process.exitCode = 1;
  }
}

void main(process.argv);

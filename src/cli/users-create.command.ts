import type { Command } from 'commander';
import { ROLES, type Role } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { withApp } from './app-context';

export function registerUsersCreateCommand(program: Command): void {
  program
    .command('users:create')
    .description('create or update a user')
    .requiredOption('--email <email>', 'login e-mail')
    .requiredOption('--password <password>', 'password (at least 8 characters)')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .option('--agent <id>', 'link the user to this agent')
    .option('--teams <ids>', 'comma-separated teams a team_lead leads')
    .option('--json', 'machine-readable output')
    .action(async (opts: { email: string; password: string; role: string; agent?: string; teams?: string; json?: boolean }) => {
      if (!(ROLES as readonly string[]).includes(opts.role)) throw new Error(`--role must be one of ${ROLES.join(', ')}`);
      const teamIds = (opts.teams ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      const result = await withApp(async ({ app }) => {
        try {
          return await app.get(UsersService).save(
            { email: opts.email, password: opts.password, role: opts.role as Role, agentId: opts.agent ?? null, teamIds },
            { upsert: true },
          );
        } catch (e) {
          const p = e as { detail?: string; message?: string };
          throw new Error(p.detail ?? p.message ?? String(e));
        }
      }, opts.json);
      if (opts.json) console.log(JSON.stringify(result));
      else console.log(`${result.created ? 'created' : 'updated'} user ${result.user.email} (${result.user.role}, id ${result.user.id})`);
    });
}

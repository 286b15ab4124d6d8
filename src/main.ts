import 'reflect-metadata';
import { startApp } from './bootstrap';
import { ConfigError, loadConfig } from './config/app-config';

/** `npm start`: serve the API on PORT (DATABASE_URL, or the embedded PostgreSQL). */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = {
    info: (m: string) => process.stdout.write(`${JSON.stringify({ level: 30, time: Date.now(), pid: process.pid, msg: m })}\n`),
    warn: (m: string) => process.stdout.write(`${JSON.stringify({ level: 40, time: Date.now(), pid: process.pid, msg: m })}\n`),
  };
  const running = await startApp(config, log);
  log.info(`Yardstick listening on ${running.url} (API docs: ${running.url}/docs)`);
  const stop = (signal: string) => {
    log.info(`${signal} received, shutting down`);
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  const msg = err instanceof ConfigError ? err.message : err instanceof Error ? err.message : String(err);
  process.stderr.write(`yardstick: ${msg}\n`);
  process.exit(1);
});

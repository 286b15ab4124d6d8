import type { AppConfig } from '../config/app-config';
import { ensureDatabase, startEmbeddedPostgres, type EmbeddedServer } from './embedded-postgres';

/**
 * Where Yardstick's database lives: DATABASE_URL when set, otherwise the embedded server
 * (started here, stopped by `close()`).
 */
export class DatabaseRuntime {
  private constructor(
    readonly url: string,
    readonly embedded: EmbeddedServer | null,
  ) {}

  static async open(
    config: Pick<AppConfig, 'databaseUrl' | 'dataDir' | 'embeddedPgPort'>,
    log: { info(msg: string): void; warn(msg: string): void },
  ): Promise<DatabaseRuntime> {
    if (config.databaseUrl) return new DatabaseRuntime(config.databaseUrl, null);
    const server = await startEmbeddedPostgres(config.dataDir, config.embeddedPgPort, log);
    const url = await ensureDatabase(server.adminUrl, 'yardstick');
    return new DatabaseRuntime(url, server);
  }

  async close(): Promise<void> {
    await this.embedded?.stop();
  }
}

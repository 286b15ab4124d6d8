import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, PostgreSqlDriver, type Options } from '@mikro-orm/postgresql';
import path from 'node:path';
import { MIGRATIONS } from '../../migrations';
import { ENTITIES } from './entities';

/** Repository root (works from src/ under tsx/jest and from dist/src/ after a build). */
export const PROJECT_ROOT = path.resolve(__dirname, __dirname.includes(`${path.sep}dist${path.sep}`) ? '../../..' : '../..');

export function ormOptions(url: string, extra: Partial<Options> = {}): Options {
  return defineConfig({
    driver: PostgreSqlDriver,
    clientUrl: url,
    entities: ENTITIES,
    extensions: [Migrator],
    debug: false,
    allowGlobalContext: false,
    pool: { min: 0, max: 10 },
    migrations: {
      tableName: 'mikro_orm_migrations',
      path: path.join(PROJECT_ROOT, 'migrations'),
      pathTs: path.join(PROJECT_ROOT, 'migrations'),
      migrationsList: MIGRATIONS,
      transactional: true,
      allOrNothing: true,
      snapshot: true,
      snapshotOnMigrate: false,
      emit: 'ts',
      snapshotName: '.snapshot-yardstick',
      silent: true,
    },
    ...extra,
  });
}

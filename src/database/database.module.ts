import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { Pool, types } from 'pg';
import { ormOptions } from './mikro-orm.options';

/** The raw `pg` pool for set-based SQL (imports, KPI engine): repositories own every query. */
export const PG_POOL = Symbol('PG_POOL');
/** The connection string of the database in use (DATABASE_URL or the embedded server's). */
export const DATABASE_URL = Symbol('DATABASE_URL');

// numeric and bigint stay strings (exact decimals); dates stay 'YYYY-MM-DD' strings, never JS Dates
types.setTypeParser(types.builtins.DATE, (v: string) => v);

@Global()
@Module({})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  static forRoot(url: string): DynamicModule {
    return {
      module: DatabaseModule,
      // no per-request EntityManager context: every use of the ORM forks its own
      // EntityManager (allowGlobalContext is false, so one that did not would fail loudly)
      imports: [MikroOrmModule.forRoot({ ...ormOptions(url), registerRequestContext: false })],
      providers: [
        {
          provide: PG_POOL,
          useFactory: () => {
            const pool = new Pool({ connectionString: url, max: 10 });
            pool.on('error', () => undefined); // an idle client's error must not crash the process
            return pool;
          },
        },
        { provide: DATABASE_URL, useValue: url },
      ],
      exports: [PG_POOL, DATABASE_URL],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}

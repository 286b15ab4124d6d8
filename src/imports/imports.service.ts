import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import type { Readable } from 'node:stream';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { PG_POOL } from '../database/database.module';
import { CsvImporter, type ImportSummary } from './csv-importer';
import type { ImportEntity } from './import-entities';

/** Nest face of the CSV importer (data contract): shared by the REST endpoint and the CLI. */
@Injectable()
export class ImportsService {
  private readonly importer: CsvImporter;

  constructor(@Inject(PG_POOL) pool: Pool, @Inject(APP_CONFIG) config: AppConfig) {
    this.importer = new CsvImporter(pool, { orgTimezone: config.orgTimezone, maxBytes: config.importMaxBytes });
  }

  importStream(entity: ImportEntity, input: Readable, meta: { source: string; importedBy?: string | null }): Promise<ImportSummary> {
    return this.importer.importStream(entity, input, meta);
  }
}

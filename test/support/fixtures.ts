import { createReadStream, existsSync } from 'node:fs';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { IMPORT_ORDER } from '../../src/imports/import-entities';
import { ImportsService } from '../../src/imports/imports.service';

export const FIXTURES = path.join(__dirname, '..', 'fixtures');

/** Imports every contract file of a fixture folder through the real import path, in order. */
export async function importFixture(app: INestApplication, folder: string): Promise<void> {
  const svc = app.get(ImportsService);
  const dir = path.join(FIXTURES, folder);
  for (const entity of IMPORT_ORDER) {
    const file = path.join(dir, `${entity}.csv`);
    if (existsSync(file)) await svc.importStream(entity, createReadStream(file), { source: `${folder}/${entity}.csv`, importedBy: 'test' });
  }
}

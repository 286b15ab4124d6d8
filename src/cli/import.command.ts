import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { readdirSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import type { Pool } from 'pg';
import type { AppConfig } from '../config/app-config';
import {
  CsvImporter,
  entityForFileName,
  formatImportRowError,
  ImportTooLargeError,
  ImportValidationError,
  type ImportSummary,
} from '../imports/csv-importer';
import { ENTITY_SPECS, IMPORT_ORDER, isImportEntity, type ImportEntity } from '../imports/import-entities';

export interface ImportCommandDeps {
  openPool(): Promise<{ pool: Pool; config: AppConfig; close(): Promise<void> }>;
}

export interface ImportedFile extends ImportSummary {
  file: string;
  seconds: number;
}

/** How many errors of a failed file the terminal shows (--json gives the first 1,000). */
const SHOWN_ERRORS = 20;

/**
 * `import <folder or file> [--entity E] [--json]` (shared/spec/api.md): a folder imports
 * every contract file present (teams.csv … training.csv) in the contract's order, each file
 * all-or-nothing on its own, stopping at the first file that fails; a single file's entity
 * comes from its name or --entity. Progress on a terminal, a summary table at the end.
 */
export function registerImportCommand(program: Command, deps: ImportCommandDeps): void {
  program
    .command('import')
    .description('import CRM CSV files per the data contract (a folder: every known file, in contract order)')
    .argument('<path>', 'a folder holding teams.csv, agents.csv, … or a single CSV file')
    .option('--entity <entity>', `the entity of a single file whose name does not say it (${IMPORT_ORDER.join(', ')})`)
    .option('--json', 'machine-readable output on stdout')
    .action(async (target: string, opts: { entity?: string; json?: boolean }) => {
      const files = plan(target, opts.entity);
      const json = !!opts.json;
      const db = await deps.openPool();
      const done: ImportedFile[] = [];
      try {
        const importer = new CsvImporter(db.pool, { orgTimezone: db.config.orgTimezone, maxBytes: db.config.importMaxBytes });
        for (const { entity, file } of files) {
          const started = performance.now();
          const size = statSync(file).size;
          const bar = !json && process.stderr.isTTY ? progressBar(entity, size) : null;
          let summary: ImportSummary;
          try {
            summary = await importer.importFile(entity, file, {
              source: path.resolve(file),
              importedBy: cliUser(),
              onProgress: bar ? (bytes) => bar.update(bytes, { mb: mb(bytes), phase: bytes >= size ? 'checking and writing…' : 'reading' }) : undefined,
            });
          } catch (err) {
            bar?.stop();
            throw reportFailure(err, { entity, file, done, json, folder: files.length > 1 });
          }
          bar?.stop();
          done.push({ file, ...summary, seconds: round2((performance.now() - started) / 1000) });
        }
      } finally {
        await db.close();
      }
      if (json) process.stdout.write(JSON.stringify({ files: done }) + '\n');
      else process.stdout.write(summaryTable(done));
    });
}

/** The files to import, in contract order. */
function plan(target: string, entityOpt: string | undefined): { entity: ImportEntity; file: string }[] {
  let stat;
  try {
    stat = statSync(target);
  } catch {
    throw new Error(`${target}: no such file or folder`);
  }
  if (entityOpt !== undefined && !isImportEntity(entityOpt)) {
    throw new Error(`--entity ${entityOpt}: unknown entity (one of ${IMPORT_ORDER.join(', ')})`);
  }
  if (stat.isDirectory()) {
    if (entityOpt !== undefined) throw new Error('--entity applies to a single file, not to a folder');
    const byEntity = new Map<ImportEntity, string>();
    for (const name of readdirSync(target).sort()) {
      const entity = entityForFileName(name);
      if (entity && statSync(path.join(target, name)).isFile()) byEntity.set(entity, path.join(target, name));
    }
    if (byEntity.size === 0) {
      throw new Error(`${target}: no file of the data contract found (${IMPORT_ORDER.map((e) => ENTITY_SPECS[e].fileName).join(', ')})`);
    }
    return IMPORT_ORDER.filter((e) => byEntity.has(e)).map((entity) => ({ entity, file: byEntity.get(entity)! }));
  }
  const entity = (entityOpt as ImportEntity | undefined) ?? entityForFileName(target);
  if (!entity) {
    throw new Error(`${target}: cannot tell which entity this file holds; name it teams.csv, agents.csv, … or pass --entity`);
  }
  return [{ entity, file: target }];
}

/** Prints what failed (stderr, or the JSON document on stdout) and returns the one-line error to throw. */
function reportFailure(
  err: unknown,
  ctx: { entity: ImportEntity; file: string; done: ImportedFile[]; json: boolean; folder: boolean },
): Error {
  const name = path.basename(ctx.file);
  const before = ctx.folder && ctx.done.length ? ` (the ${ctx.done.length} file(s) before it were imported)` : '';
  let headline: string;
  if (err instanceof ImportValidationError) {
    headline = `${name}: ${err.totalErrors} ${err.totalErrors === 1 ? 'error' : 'errors'}, nothing imported from this file${before}`;
    if (ctx.json) {
      process.stdout.write(
        JSON.stringify({ error: headline, entity: ctx.entity, file: ctx.file, total_errors: err.totalErrors, errors: err.errors, files: ctx.done }) + '\n',
      );
    } else {
      if (ctx.done.length) process.stdout.write(summaryTable(ctx.done));
      const lines = err.errors.slice(0, SHOWN_ERRORS).map((e) => `  ${formatImportRowError(e)}`);
      const more = err.totalErrors - Math.min(err.totalErrors, SHOWN_ERRORS);
      process.stderr.write(
        `${name}: ${err.totalErrors} ${err.totalErrors === 1 ? 'error' : 'errors'}:\n${lines.join('\n')}\n` +
          (more > 0 ? `  … and ${more} more (${err.totalErrors} in total)\n` : ''),
      );
    }
    return new Error(headline);
  }
  const reason = err instanceof ImportTooLargeError || err instanceof Error ? err.message : String(err);
  headline = `${name}: ${reason.split('\n')[0]}${before}`;
  if (ctx.json) {
    process.stdout.write(JSON.stringify({ error: headline, entity: ctx.entity, file: ctx.file, errors: [], files: ctx.done }) + '\n');
  } else if (ctx.done.length) {
    process.stdout.write(summaryTable(ctx.done));
  }
  return new Error(headline);
}

function progressBar(entity: ImportEntity, totalBytes: number): SingleBar {
  const bar = new SingleBar(
    {
      format: `${entity.padEnd(11)} [{bar}] {percentage}% | {mb} / {totalMb} MB | {duration_formatted} | {phase}`,
      stream: process.stderr,
      clearOnComplete: true,
      hideCursor: true,
      fps: 5,
    },
    Presets.shades_classic,
  );
  bar.start(Math.max(totalBytes, 1), 0, { mb: mb(0), totalMb: mb(totalBytes), phase: 'reading' });
  return bar;
}

/** import_batches.imported_by of a command-line import: `cli:<OS user>`. */
function cliUser(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
const round2 = (n: number) => Math.round(n * 100) / 100;

/** entity, rows, inserted, updated, unchanged, seconds — one line per file. */
export function summaryTable(files: ImportedFile[]): string {
  const head = ['entity', 'rows', 'inserted', 'updated', 'unchanged', 'seconds'];
  const rows = files.map((f) => [f.entity, f.rows, f.inserted, f.updated, f.unchanged, f.seconds.toFixed(2)].map(String));
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [fmt(head), ...rows.map(fmt)].join('\n') + '\n';
}

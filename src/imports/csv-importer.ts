import { once } from 'node:events';
import { open } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Pool, PoolClient } from 'pg';
import { from as copyFrom, type CopyStreamQuery } from 'pg-copy-streams';
import { noticeWrite } from '../common/hot-read-cache';
import { lowerProbeSql, PROBED_LETTERS, RowEncoder, type CaseFold } from './csv-row-encoder';
import { CsvScanFatalError, CsvScanner } from './csv-scanner';
import { ENTITY_SPECS, IMPORT_ORDER, type ImportEntity } from './import-entities';
import { ImportTooLargeError, ImportValidationError, MAX_REPORTED_ERRORS, type ImportRowError } from './import-errors';
import { buildImportSql, ident, type ImportCheck, type ImportSql } from './import-sql';

export { ImportTooLargeError, ImportValidationError, formatImportRowError, type ImportRowError } from './import-errors';
export { IMPORT_ORDER, type ImportEntity } from './import-entities';

export interface ImportSummary {
  entity: ImportEntity;
  rows: number;
  inserted: number;
  updated: number;
  unchanged: number;
}

export interface ImportMeta {
  /** where the file came from (a path, "upload: name.csv"…), kept in import_batches */
  source: string;
  importedBy?: string | null;
  /** called after each chunk with the bytes read so far */
  onProgress?: (bytesRead: number) => void;
}

export interface CsvImporterOptions {
  /** ORG_TIMEZONE: local times and dates of the files are in this IANA zone */
  orgTimezone: string;
  /** IMPORT_MAX_BYTES */
  maxBytes: number;
  /**
   * From this many rows on, a load into an empty table drops the table's secondary indexes and
   * builds them again after the insert (one sort instead of a random b-tree insert per row).
   */
  bulkLoadMinRows?: number;
  /** called with the duration of each phase (copy, each check, write…), for benchmarks */
  onPhase?: (phase: string, ms: number) => void;
}

/** `teams.csv` → 'teams' (case-insensitive, any folder); null for any other name. */
export function entityForFileName(name: string): ImportEntity | null {
  const base = path.basename(name).toLowerCase();
  return IMPORT_ORDER.find((e) => ENTITY_SPECS[e].fileName === base) ?? null;
}

/**
 * The bytes of a file in chunks, read into two buffers in turn: the next chunk is read while
 * the caller works on the current one, which it must be done with when it asks for the next
 * (the CsvScanner copies what it keeps). Reusing the buffers spares the garbage collector
 * ~60 MB of buffers per million rows.
 */
async function* readChunks(filePath: string, size: number): AsyncGenerator<Buffer, void, undefined> {
  const file = await open(filePath, 'r');
  const buffers = [Buffer.allocUnsafeSlow(size), Buffer.allocUnsafeSlow(size)];
  let k = 0;
  let next = file.read(buffers[k], 0, size, null);
  try {
    for (;;) {
      const { bytesRead } = await next;
      if (bytesRead === 0) return;
      const current = buffers[k];
      k ^= 1;
      next = file.read(buffers[k], 0, size, null);
      yield current.subarray(0, bytesRead);
    }
  } finally {
    await next.catch(() => undefined); // (a read ahead still running when the caller stops)
    await file.close();
  }
}

/** Advisory lock keys: (YIMP, entity ordinal) — one import per entity at a time. */
const LOCK_CLASS = 0x59494d50;

/**
 * Imports one CSV file of the data contract (shared/spec/data-contract.md) all-or-nothing:
 * stream → byte scanner checking every field and row rule (while PostgreSQL consumes the
 * COPY) → COPY of typed rows into a temp staging table → set-based validation in SQL →
 * upsert by id → one import_batches row, all in one transaction.
 */
export class CsvImporter {
  constructor(
    private readonly pool: Pool,
    private readonly opts: CsvImporterOptions,
  ) {}

  async importFile(entity: ImportEntity, filePath: string, meta?: Partial<ImportMeta>): Promise<ImportSummary> {
    const input = readChunks(filePath, 256 * 1024);
    try {
      return await this.importStream(entity, input, { ...meta, source: meta?.source ?? filePath });
    } finally {
      await input.return();
    }
  }

  async importStream(entity: ImportEntity, input: NodeJS.ReadableStream | Readable | AsyncIterable<Buffer>, meta: ImportMeta): Promise<ImportSummary> {
    const client = await this.pool.connect();
    const conn = { broken: false };
    try {
      await client.query('begin');
      try {
        const summary = await this.run(client, conn, entity, input, meta);
        await client.query('commit');
        noticeWrite(); // agents may have moved teams: the hot read caches of this process start over
        return summary;
      } catch (err) {
        if (!conn.broken) {
          await client.query('rollback').catch(() => {
            conn.broken = true;
          });
        }
        throw err;
      }
    } catch (err) {
      if (err instanceof CsvScanFatalError) {
        throw new ImportValidationError(entity, [{ line: err.line, column: null, value: null, reason: err.reason }], 1);
      }
      throw err;
    } finally {
      client.release(conn.broken); // a broken connection is closed, not reused
    }
  }

  private async run(
    client: PoolClient,
    conn: { broken: boolean },
    entity: ImportEntity,
    input: NodeJS.ReadableStream | Readable | AsyncIterable<Buffer>,
    meta: ImportMeta,
  ): Promise<ImportSummary> {
    let t0 = performance.now();
    const phase = (name: string) => {
      const t = performance.now();
      this.opts.onPhase?.(name, t - t0);
      t0 = t;
    };
    const tz = this.opts.orgTimezone;
    const spec = ENTITY_SPECS[entity];
    // Memory for the big hash joins, aggregates and index builds of this transaction (the
    // duplicate check's hash aggregate over a million ids needs ~150 MB not to spill). Local
    // times in the files are in ORG_TIMEZONE: the transaction's TimeZone says so explicitly,
    // whatever the session's setting was (see stagedValue in import-sql.ts). And how lower()
    // maps letters here, for the case-insensitive enumerations the RowEncoder matches.
    await client.query(`set local work_mem = '128MB'; set local maintenance_work_mem = '256MB'`);
    await client.query(`select set_config('TimeZone', $1, true)`, [tz]).catch(() => {
      throw new Error(`ORG_TIMEZONE ${JSON.stringify(tz)} is not a time zone PostgreSQL knows`);
    });
    const caseFold: CaseFold = { lower: (await client.query<{ lower: string[] }>(lowerProbeSql, [PROBED_LETTERS])).rows[0].lower };

    // 1. Stream the bytes through the scanner into COPY. The header (read by the scanner)
    //    is checked first; then the RowEncoder checks each record's fields and writes its
    //    typed row. COPY starts once the header is known.
    let encoder: RowEncoder | null = null;
    const scanner = new CsvScanner({
      maxBytes: this.opts.maxBytes,
      maxErrors: MAX_REPORTED_ERRORS,
      encoder: (header) => (encoder = new RowEncoder(spec, checkHeader(entity, header), { maxErrors: MAX_REPORTED_ERRORS, caseFold })),
    });
    const isql: ImportSql = buildImportSql(entity, tz);
    let copy = null as CopyIn | null; // (assigned in start())
    const start = async () => {
      await client.query(isql.createTables);
      copy = new CopyIn(client, isql.copy);
    };
    let sent: Buffer[] = []; // output buffers written to COPY, maybe not yet to the socket
    try {
      for await (const chunk of input as AsyncIterable<Buffer | string>) {
        const out = scanner.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
        meta.onProgress?.(scanner.bytesRead);
        if (!copy && scanner.header) await start();
        if (!copy) continue;
        await copy.write(out);
        sent.push(out);
        if (copy.flushed()) {
          for (const b of sent) scanner.recycle(b);
          sent = [];
        }
      }
      const last = scanner.end();
      if (!copy) await start();
      await copy!.write(last);
      await copy!.finish();
    } catch (err) {
      // End the COPY sub-protocol (CopyFail) so that the connection can roll back.
      if (copy && !(await copy.abort(err))) conn.broken = true;
      throw err;
    }
    const fields = encoder as unknown as RowEncoder;
    const rows = scanner.records;
    phase('copy');

    // 2. One import of an entity at a time; from here on the database state we check against
    //    cannot change under us (within the entity).
    await client.query('select pg_advisory_xact_lock($1, $2)', [LOCK_CLASS, IMPORT_ORDER.indexOf(entity)]);

    // 3. Set-based validation: every broken rule of the contract becomes a row of ys_errors.
    const table = ident(spec.table);
    const empty = (await client.query(`select not exists (select 1 from ${table}) as empty`)).rows[0].empty as boolean;
    const runChecks = async (which: (c: ImportCheck) => boolean) => {
      for (const check of isql.checks.filter(which)) {
        await client.query(check.sql);
        phase(`check ${check.rule}`);
      }
      return (await client.query<{ n: number }>(isql.countErrors)).rows[0].n + scanner.totalErrors + fields.totalErrors;
    };
    const fail = async (): Promise<never> => {
      throw await this.validationError(client, entity, isql, scanner, fields);
    };
    // Into an empty table the primary key itself (or its rebuild after a bulk load) catches a
    // duplicate id; its check (a hash aggregate over the whole file) runs only when there is
    // something to report anyway.
    const deferDuplicates = empty;
    if ((await runChecks((c) => !(deferDuplicates && c.enforcedByPrimaryKey))) > 0) {
      if (deferDuplicates) await runChecks((c) => !!c.enforcedByPrimaryKey);
      await fail();
    }

    // 4. Write: a plain insert into an empty table, else an upsert of the rows that differ.
    let inserted: number;
    let updated: number;
    if (empty) {
      await client.query('savepoint ys_load');
      try {
        const rebuild = rows >= (this.opts.bulkLoadMinRows ?? 50_000) ? await dropIndexesForLoad(client, spec.table) : [];
        inserted = (await client.query(isql.insertAll)).rowCount ?? 0;
        phase('insert');
        for (const def of rebuild) await client.query(def);
        if (rebuild.length) phase('rebuild indexes');
      } catch (err) {
        if ((err as { code?: string }).code !== '23505') throw err;
        await client.query('rollback to savepoint ys_load');
        if ((await runChecks((c) => !!c.enforcedByPrimaryKey)) > 0) await fail();
        throw err;
      }
      updated = 0;
    } else {
      for (const stmt of isql.beforeUpsert) await client.query(stmt);
      const r = (await client.query<{ inserted: number; updated: number }>(isql.upsert)).rows[0];
      inserted = r.inserted;
      updated = r.updated;
      phase('upsert');
    }
    const summary: ImportSummary = { entity, rows, inserted, updated, unchanged: rows - inserted - updated };

    // 5. The record of this import, in the same transaction.
    await client.query(
      `insert into import_batches (entity, source, sha256, rows, inserted, updated, unchanged, imported_by, created_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, now())`,
      [entity, meta.source, scanner.digest(), rows, inserted, updated, summary.unchanged, meta.importedBy ?? null],
    );
    return summary;
  }

  /**
   * The first errors and the total count: the SQL checks' (ordered by the database), the
   * RowEncoder's and the scanner's (both in file order) merged by line, then contract column
   * order (file-wide and row-wide ones first), then reason.
   */
  private async validationError(
    client: PoolClient,
    entity: ImportEntity,
    isql: ImportSql,
    scanner: CsvScanner,
    fields: RowEncoder,
  ): Promise<ImportValidationError> {
    const sqlErrors = (await client.query<{ n: number }>(isql.countErrors)).rows[0].n;
    const first = sqlErrors > 0 ? (await client.query<{ line: number | null; col: string | null; val: string | null; reason: string }>(isql.firstErrors(MAX_REPORTED_ERRORS))).rows : [];
    const columnOrder = new Map(isql.spec.columns.map((c, i) => [c.name, i]));
    const rank = (e: ImportRowError) => [e.line ?? -1, e.column === null ? -1 : (columnOrder.get(e.column) ?? -1)];
    const before = (a: ImportRowError, b: ImportRowError) => {
      const [la, ca] = rank(a);
      const [lb, cb] = rank(b);
      return la !== lb ? la < lb : ca !== cb ? ca < cb : a.reason < b.reason;
    };
    const lists: ImportRowError[][] = [
      first.map((r) => ({ line: r.line, column: r.col, value: r.val, reason: r.reason })),
      fields.errors,
      scanner.errors.map((e) => ({ line: e.line, column: null, value: null, reason: e.reason })),
    ];
    // merge of sorted lists (each keeps its own order; on a tie the earlier list first)
    const next = lists.map(() => 0);
    const errors: ImportRowError[] = [];
    while (errors.length < MAX_REPORTED_ERRORS) {
      let pick = -1;
      for (let k = 0; k < lists.length; k++) {
        if (next[k] < lists[k].length && (pick < 0 || before(lists[k][next[k]], lists[pick][next[pick]]))) pick = k;
      }
      if (pick < 0) break;
      errors.push(lists[pick][next[pick]++]);
    }
    return new ImportValidationError(entity, errors, sqlErrors + fields.totalErrors + scanner.totalErrors);
  }
}

/**
 * One `COPY … FROM STDIN` on a client, written with back-pressure. Server errors are kept
 * (never unhandled); `abort` ends a COPY in progress with CopyFail.
 */
class CopyIn {
  private readonly stream: CopyStreamQuery;
  private state: 'running' | 'finished' | 'failed' = 'running';
  private readonly done: Promise<void>;

  constructor(
    private readonly client: PoolClient,
    sql: string,
  ) {
    const stream = client.query(copyFrom(sql, { highWaterMark: 1 << 20 }));
    this.stream = stream;
    this.done = new Promise<void>((resolve, reject) => {
      stream.on('finish', () => {
        this.state = 'finished';
        resolve();
      });
      stream.on('error', (err) => {
        this.state = 'failed';
        reject(err);
      });
    });
    this.done.catch(() => undefined); // awaited by write/finish; never an unhandled rejection
  }

  /**
   * Every byte written so far has been handed to the kernel: neither the COPY stream nor the
   * socket holds on to a written buffer any more (their writable lengths count a chunk until
   * its write has completed). False when the client does not expose its socket as expected.
   */
  flushed(): boolean {
    const socket = (this.client as unknown as { connection?: { stream?: { writableLength?: unknown } } }).connection?.stream;
    const pending = (this.stream as unknown as { chunks?: unknown }).chunks;
    return (
      typeof socket?.writableLength === 'number' &&
      socket.writableLength === 0 &&
      Array.isArray(pending) &&
      pending.length === 0 &&
      this.stream.writableLength === 0 &&
      !this.stream.writableCorked
    );
  }

  async write(buf: Buffer): Promise<void> {
    if (buf.length === 0) return;
    if (this.state === 'failed') await this.done;
    if (!this.stream.write(buf)) await Promise.race([once(this.stream, 'drain'), this.done]);
  }

  async finish(): Promise<void> {
    this.stream.end();
    await this.done;
  }

  /** Ends a running COPY with CopyFail; false when the connection did not come back in time. */
  async abort(reason: unknown): Promise<boolean> {
    if (this.state !== 'running') return true;
    const closed = new Promise<boolean>((resolve) => this.stream.once('close', () => resolve(true)));
    this.stream.destroy(reason instanceof Error ? reason : new Error(String(reason)));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 10_000)));
    try {
      return await Promise.race([closed, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * The header names the file's columns in any order: each must be a contract column, none
 * twice, every required one present (a missing optional column means null). Returns the
 * column names in file order.
 */
export function checkHeader(entity: ImportEntity, header: readonly string[]): string[] {
  const spec = ENTITY_SPECS[entity];
  const known = new Map(spec.columns.map((c) => [c.name, c]));
  const errors: ImportRowError[] = [];
  const seen = new Set<string>();
  const names = header.map((h) => h.toLowerCase());
  names.forEach((name, i) => {
    if (name === '') {
      errors.push({ line: 1, column: null, value: header[i], reason: `column ${i + 1} of the header has no name` });
    } else if (!known.has(name)) {
      errors.push({
        line: 1,
        column: header[i],
        value: null,
        reason: `unknown column (the columns of ${spec.fileName} are: ${spec.columns.map((c) => c.name).join(', ')})`,
      });
    } else if (seen.has(name)) {
      errors.push({ line: 1, column: name, value: null, reason: 'the column appears twice in the header' });
    }
    seen.add(name);
  });
  for (const c of spec.columns) {
    if (c.required && !seen.has(c.name)) errors.push({ line: 1, column: c.name, value: null, reason: 'required column is missing from the header' });
  }
  if (errors.length) throw new ImportValidationError(entity, errors, errors.length);
  return names;
}

/**
 * Drops the indexes of `table` before a large load into it while it is empty, and returns the
 * statements that create them again — exactly as they were (pg_get_indexdef, and
 * pg_get_constraintdef for the primary key, whose index keeps the constraint's name), within
 * the same transaction, so the schema after commit is unchanged. Building an index by sorting
 * is several times faster than a million b-tree insertions. The primary key goes too when no
 * foreign key references the table: rebuilt first, it still rejects a duplicate id (23505,
 * the importer then names the lines); the indexes of other constraints stay. DROP locks the
 * table (ACCESS EXCLUSIVE) until commit, which is fine while it is empty.
 */
async function dropIndexesForLoad(client: PoolClient, table: string): Promise<string[]> {
  const rebuild: string[] = [];
  const pk = await client.query<{ name: string; def: string }>(
    `select quote_ident(c.conname) as name, pg_get_constraintdef(c.oid) as def
     from pg_constraint c
     where c.conrelid = $1::regclass and c.contype = 'p'
       and not exists (select 1 from pg_constraint f where f.confrelid = $1::regclass and f.contype = 'f')`,
    [table],
  );
  for (const r of pk.rows) {
    await client.query(`alter table ${ident(table)} drop constraint ${r.name}`);
    rebuild.push(`alter table ${ident(table)} add constraint ${r.name} ${r.def}`);
  }
  const { rows } = await client.query<{ name: string; def: string }>(
    `select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as def
     from pg_index i
     where i.indrelid = $1::regclass
       and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid)`,
    [table],
  );
  for (const r of rows) await client.query(`drop index ${r.name}`);
  return [...rebuild, ...rows.map((r) => r.def)];
}

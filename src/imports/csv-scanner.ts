import { isUtf8 } from 'node:buffer';
import { createHash, type Hash } from 'node:crypto';
import { CsvLineEncoder, type RecordEncoder } from './csv-row-encoder';
import { ImportTooLargeError } from './import-errors';

/**
 * The byte scanner in front of PostgreSQL's `COPY`.
 *
 * It walks the bytes once to find the records:
 *  - strips a leading UTF-8 BOM and reads the header row itself (it is not sent to COPY);
 *  - tracks the quote state, so that it knows where each record starts and ends and on which
 *    physical line of the file it starts (records with quoted newlines shift later lines);
 *  - holds back the records COPY would choke on, reporting each with its line: a wrong number
 *    of fields, invalid UTF-8, a NUL byte, a bare carriage return, an unterminated quote;
 *  - normalises CRLF to LF (mixed line endings are fine);
 *  - counts bytes (progress, IMPORT_MAX_BYTES) and hashes them (sha256 of the file as given);
 *  - hands every other record with its line number to a RecordEncoder, which writes what COPY
 *    receives, so every later error can name the file's line — no per-row array is kept in
 *    memory. The default encoder passes the record on as CSV prefixed with its line number;
 *    the importer's (csv-row-encoder.ts) checks the fields and writes typed binary rows.
 *
 * Quote tracking matches PostgreSQL's CSV reader with QUOTE = ESCAPE = '"': every quote
 * character toggles the in-quotes state (a doubled quote inside quotes toggles twice), and
 * only commas and newlines outside quotes separate fields and records.
 *
 * It is a synchronous push/end state machine (the importer drives it from a `for await` loop
 * with back-pressure on the COPY stream), so it can be tested without a database.
 */

export interface ScanError {
  line: number;
  reason: string;
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;
const NUL = 0x00;

/** A single record longer than this is almost surely a missing closing quote. */
export const MAX_RECORD_BYTES = 16 * 1024 * 1024;

export class CsvScanFatalError extends Error {
  constructor(
    readonly line: number | null,
    readonly reason: string,
  ) {
    super(line === null ? reason : `line ${line}: ${reason}`);
    this.name = 'CsvScanFatalError';
  }
}

export class CsvScanner {
  /** Column names of the header row (trimmed), once read. */
  header: string[] | null = null;
  /** Data records passed on (after the header, without the held-back ones). */
  records = 0;
  /** Every raw byte seen, BOM and header included. */
  bytesRead = 0;
  /** The first `maxErrors` held-back records, in file order; `totalErrors` counts all. */
  readonly errors: ScanError[] = [];
  totalErrors = 0;

  private readonly hash: Hash = createHash('sha256');
  private bomChecked = false;
  private head: Buffer | null = null; // the first bytes until the BOM check can be made

  // state of the record being scanned
  private inQuote = false;
  private fields = 1;
  private quotedNewlines = 0;
  private bareCr = 0;
  private nul = false;
  private recordLine = 1; // physical line on which the current record starts
  private pending: Buffer[] = []; // bytes of the current record from earlier chunks
  private pendingBytes = 0;

  // output of the current push()
  private out: Buffer = Buffer.alloc(0);
  private outPos = 0;
  private outRatio = 2; // output bytes per input byte, with some room (learnt per push)
  private readonly own = new WeakSet<ArrayBufferLike>(); // the output buffers allocated here
  private readonly spare: ArrayBufferLike[] = []; // … handed back by recycle()
  private chunkErrors: ScanError[] = [];
  // UTF-8 validity of the current chunk's bytes between its first and its last LF (an LF is
  // never inside a character, so every record that lies there is valid when the region is)
  private regionStart = 0;
  private regionValid = false;
  private encoder: RecordEncoder | null = null;
  // positions of the commas between the fields of the current record, valid (sepsValid) when
  // the record lies in the current chunk and has no quote at all
  private seps = new Int32Array(0);
  private sepsValid = false;

  constructor(
    private readonly opts: {
      maxBytes: number;
      maxErrors?: number;
      /** the encoder of the data records, made once the header is read (default: CsvLineEncoder) */
      encoder?: (header: string[]) => RecordEncoder;
    },
  ) {}

  /** sha256 (hex) of the bytes seen so far. Call once, after end(). */
  digest(): string {
    return this.hash.digest('hex');
  }

  /** Scans a chunk; returns the bytes to send to COPY (complete records, line-prefixed). */
  push(chunk: Buffer): Buffer {
    this.bytesRead += chunk.length;
    if (this.bytesRead > this.opts.maxBytes) throw new ImportTooLargeError(this.opts.maxBytes);
    this.hash.update(chunk);
    if (!this.bomChecked) {
      // the BOM is 3 bytes; a chunk may be shorter
      const head: Buffer = this.head ? Buffer.concat([this.head, chunk]) : chunk;
      if (head.length < 3) {
        this.head = Buffer.from(head); // a copy: the caller may reuse `chunk`
        return Buffer.alloc(0);
      }
      this.head = null;
      this.bomChecked = true;
      chunk = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? head.subarray(3) : head;
    }
    return this.scan(chunk, false);
  }

  /** Ends the input; returns the last record's bytes (a file need not end with a newline). */
  end(): Buffer {
    let chunk: Buffer = Buffer.alloc(0);
    if (!this.bomChecked) {
      chunk = this.head ?? chunk;
      if (chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
      this.bomChecked = true;
      this.head = null;
    }
    const out = this.scan(chunk, true);
    if (this.header === null) throw new CsvScanFatalError(null, 'the file is empty: a header row is required');
    const finish = this.encoder!.finish?.();
    return finish ? Buffer.concat([out, finish]) : out;
  }

  private scan(buf: Buffer, atEnd: boolean): Buffer {
    this.out = this.outputBuffer(Math.ceil(buf.length * this.outRatio) + 1024); // grows in writeRecord if needed
    this.outPos = 0;
    const firstLf = buf.indexOf(LF);
    const lastLf = firstLf < 0 ? -1 : buf.lastIndexOf(LF);
    this.regionStart = firstLf + 1;
    this.regionValid = lastLf > firstLf && isUtf8(buf.subarray(firstLf + 1, lastLf + 1));

    let inQuote = this.inQuote;
    let fields = this.fields;
    let quotedNewlines = this.quotedNewlines;
    let bareCr = this.bareCr;
    let nul = this.nul;
    let quoted = this.pendingBytes > 0; // (a record from an earlier chunk is split by the encoder)
    let seps = this.seps;
    let cap = seps.length;
    let start = 0;
    const n = buf.length;
    for (let i = 0; i < n; i++) {
      const c = buf[i];
      if (c > QUOTE) {
        if (c === COMMA && !inQuote) {
          if (fields <= cap) seps[fields - 1] = i;
          fields++;
        }
        continue;
      }
      if (c === QUOTE) {
        inQuote = !inQuote;
        quoted = true;
      } else if (c === LF) {
        if (inQuote) {
          quotedNewlines++;
          continue;
        }
        // end of record: [start, i) plus any pending bytes
        const endsWithCr = i > start ? buf[i - 1] === CR : this.pendingBytes > 0 && this.lastPendingByte() === CR;
        this.inQuote = inQuote;
        this.fields = fields;
        this.quotedNewlines = quotedNewlines;
        this.bareCr = endsWithCr ? bareCr - 1 : bareCr;
        this.nul = nul;
        this.sepsValid = !quoted;
        this.finishRecord(buf, start, i, endsWithCr);
        seps = this.seps; // (sized once the header is known)
        cap = seps.length;
        quoted = false;
        inQuote = false;
        fields = 1;
        quotedNewlines = 0;
        bareCr = 0;
        nul = false;
        start = i + 1;
      } else if (c === CR) {
        if (!inQuote) bareCr++;
      } else if (c === NUL) {
        nul = true;
      }
    }
    this.inQuote = inQuote;
    this.fields = fields;
    this.quotedNewlines = quotedNewlines;
    this.bareCr = bareCr;
    this.nul = nul;

    if (start < n) {
      this.pending.push(Buffer.from(buf.subarray(start))); // a copy: the caller may reuse `buf`
      this.pendingBytes += n - start;
      if (this.pendingBytes > MAX_RECORD_BYTES) {
        throw new CsvScanFatalError(
          this.recordLine,
          `a record is longer than ${MAX_RECORD_BYTES} bytes${this.inQuote ? ' (a closing quote " is probably missing)' : ''}`,
        );
      }
    }
    this.sepsValid = false;
    if (atEnd && this.pendingBytes > 0) {
      if (this.inQuote) {
        if (this.header === null) throw new CsvScanFatalError(this.recordLine, 'unterminated quoted field in the header row');
        this.fail(this.recordLine, 'unterminated quoted field: a closing quote " is missing');
        this.dropPending();
      } else {
        const endsWithCr = this.lastPendingByte() === CR;
        if (endsWithCr) this.bareCr--;
        this.finishRecord(Buffer.alloc(0), 0, 0, endsWithCr);
      }
    }
    return this.flushOut(buf.length);
  }

  private lastPendingByte(): number {
    const last = this.pending[this.pending.length - 1];
    return last[last.length - 1];
  }

  private dropPending(): void {
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** A complete record: pending bytes + buf[start, end) (without its LF). */
  private finishRecord(buf: Buffer, start: number, end: number, endsWithCr: boolean): void {
    let rec = buf;
    let s = start;
    let e = end;
    // inside the chunk's checked region (not from earlier chunks, not before the first LF)
    let utf8Known = this.regionValid && start >= this.regionStart;
    if (this.pendingBytes > 0) {
      utf8Known = false;
      rec = Buffer.concat([...this.pending, buf.subarray(start, end)]);
      s = 0;
      e = rec.length;
      this.dropPending();
    }
    if (endsWithCr) e--;
    const line = this.recordLine;
    this.recordLine += 1 + this.quotedNewlines;

    if (this.header === null) {
      this.readHeader(rec.subarray(s, e), line);
      return;
    }
    if (e === s) return; // a blank line: skipped
    if (this.nul) return this.fail(line, 'contains a NUL byte (is this a text file?)');
    if (this.bareCr > 0) return this.fail(line, 'contains a carriage return outside quotes (line endings must be LF or CRLF)');
    if (this.fields !== this.header.length) {
      return this.fail(line, `has ${this.fields} fields but the header has ${this.header.length} (check commas and quoting)`);
    }
    if (!utf8Known && !isUtf8(rec.subarray(s, e))) return this.fail(line, 'is not valid UTF-8 (the file must be UTF-8 encoded)');
    this.writeRecord(line, rec, s, e);
  }

  private readHeader(rec: Buffer, line: number): void {
    if (!isUtf8(rec)) throw new CsvScanFatalError(line, 'the header row is not valid UTF-8 (the file must be UTF-8 encoded)');
    if (this.nul) throw new CsvScanFatalError(line, 'the header row contains a NUL byte (is this a text file?)');
    if (rec.length === 0) throw new CsvScanFatalError(line, 'the header row is empty');
    this.header = parseCsvRecord(rec.toString('utf8')).map((h) => h.trim());
    this.encoder = this.opts.encoder ? this.opts.encoder(this.header) : new CsvLineEncoder();
    this.seps = new Int32Array(this.header.length + 1);
    const begin = this.encoder.begin?.();
    if (begin) this.writeBytes(begin);
  }

  private fail(line: number, reason: string): void {
    this.totalErrors++;
    this.chunkErrors.push({ line, reason });
  }

  /** Keeps the first `maxErrors` errors (found in file order). */
  private keepErrors(): void {
    if (this.chunkErrors.length === 0) return;
    for (const e of this.chunkErrors) {
      if (this.errors.length >= (this.opts.maxErrors ?? 1000)) break;
      this.errors.push(e);
    }
    this.chunkErrors = [];
  }

  private writeRecord(line: number, rec: Buffer, s: number, e: number): void {
    const encoder = this.encoder!;
    this.reserve(encoder.maxOutput(e - s));
    this.outPos = encoder.encode(line, rec, s, e, this.sepsValid ? this.seps : null, this.out, this.outPos);
    this.records++;
  }

  private writeBytes(bytes: Buffer): void {
    this.reserve(bytes.length);
    this.outPos += bytes.copy(this.out, this.outPos);
  }

  private reserve(bytes: number): void {
    const need = this.outPos + bytes;
    if (need > this.out.length) {
      const bigger = this.outputBuffer(Math.max(need, this.out.length * 2));
      this.out.copy(bigger, 0, 0, this.outPos);
      this.out = bigger;
    }
  }

  /** Returns the records of this push; learns the output/input ratio for the next buffer. */
  private flushOut(inBytes: number): Buffer {
    this.keepErrors();
    if (inBytes >= 65536) this.outRatio = Math.max(1, (this.outPos / inBytes) * 1.05);
    return this.out.subarray(0, this.outPos);
  }

  /**
   * Hands back an output buffer of push()/end() whose bytes have been consumed (sent), so that
   * a later push() may write into it instead of allocating: a million-row file is ~100 MB of
   * output, and allocating it anew keeps the garbage collector busy on the import's core.
   * Buffers the scanner did not allocate are ignored.
   */
  recycle(out: Buffer): void {
    if (this.own.has(out.buffer) && this.spare.length < 4 && !this.spare.includes(out.buffer)) {
      this.spare.push(out.buffer);
    }
  }

  private outputBuffer(bytes: number): Buffer {
    const spare = this.spare.pop();
    if (spare && spare.byteLength >= bytes) return Buffer.from(spare, 0, spare.byteLength);
    const buf = Buffer.allocUnsafeSlow(bytes); // (its own ArrayBuffer, never a shared pool's)
    this.own.add(buf.buffer);
    return buf;
  }
}

/** Splits one CSV record (RFC 4180, as PostgreSQL reads it) into its fields. Used for the header. */
export function parseCsvRecord(text: string): string[] {
  const fields: string[] = [];
  let cur = '';
  let inQuote = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') {
      if (inQuote && text[i + 1] === '"') {
        cur += '"';
        i++;
      } else inQuote = !inQuote;
    } else if (ch === ',' && !inQuote) {
      fields.push(cur);
      cur = '';
    } else cur += ch;
  }
  fields.push(cur);
  return fields;
}

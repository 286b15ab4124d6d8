/**
 * A streaming reader of PostgreSQL's binary COPY format (`COPY (…) TO STDOUT (FORMAT binary)`),
 * for result sets of a million rows that must land in typed arrays without a JavaScript object
 * per row: each tuple's fields are decoded into one reused row buffer and handed to a
 * callback, which copies what it needs into its own columns.
 *
 * Format (PostgreSQL documentation, "COPY", binary format): the 11-byte signature
 * `PGCOPY\n\377\r\n\0`, an int32 flags field, an int32 header-extension length and that many
 * bytes; then per tuple an int16 field count followed, per field, by an int32 byte length
 * (−1 for NULL) and the field's binary representation (network byte order); a field count of
 * −1 ends the data.
 */
import type { PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';

/** The binary representations this reader decodes. */
export type CopyColumnType = 'int4' | 'int8' | 'float8' | 'bool' | 'text';

/** One decoded tuple, reused for every row: read it inside the callback, never keep it. */
export interface CopyRow {
  /** int4, int8 (as a double), float8 and bool (0/1) fields; NaN for NULL. */
  readonly num: Float64Array;
  /** text fields; null for NULL (and for non-text columns). */
  readonly text: (string | null)[];
  /** 1 where the field is NULL. */
  readonly isNull: Uint8Array;
}

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const EMPTY = Buffer.alloc(0);

export class BinaryCopyReader {
  private rest: Buffer = EMPTY;
  private headerDone = false;
  private finished = false;
  private readonly row: CopyRow;
  /** rows decoded so far */
  rows = 0;

  constructor(
    private readonly types: readonly CopyColumnType[],
    private readonly onRow: (row: CopyRow) => void,
  ) {
    const n = types.length;
    this.row = { num: new Float64Array(n), text: new Array<string | null>(n).fill(null), isNull: new Uint8Array(n) };
  }

  /** Feeds the next chunk of the stream (any split: tuples may straddle chunks). */
  write(chunk: Buffer): void {
    if (this.finished) {
      if (chunk.length) throw new Error('binary COPY: data after the end marker');
      return;
    }
    const buf = this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk;
    let pos = 0;
    if (!this.headerDone) {
      if (buf.length < 19) {
        this.rest = Buffer.from(buf);
        return;
      }
      if (!buf.subarray(0, 11).equals(SIGNATURE)) throw new Error('binary COPY: bad signature');
      const extension = buf.readInt32BE(15);
      if (buf.length < 19 + extension) {
        this.rest = Buffer.from(buf);
        return;
      }
      pos = 19 + extension;
      this.headerDone = true;
    }
    const { types, row } = this;
    const n = types.length;
    for (;;) {
      if (pos + 2 > buf.length) break;
      const count = buf.readInt16BE(pos);
      if (count === -1) {
        this.finished = true;
        pos += 2;
        break;
      }
      if (count !== n) throw new Error(`binary COPY: expected ${n} fields per row, got ${count}`);
      // Is the whole tuple here?
      let p = pos + 2;
      let complete = true;
      for (let i = 0; i < n; i++) {
        if (p + 4 > buf.length) {
          complete = false;
          break;
        }
        const len = buf.readInt32BE(p);
        p += 4;
        if (len > 0) {
          if (p + len > buf.length) {
            complete = false;
            break;
          }
          p += len;
        }
      }
      if (!complete) break;
      p = pos + 2;
      for (let i = 0; i < n; i++) {
        const len = buf.readInt32BE(p);
        p += 4;
        if (len === -1) {
          row.isNull[i] = 1;
          row.num[i] = Number.NaN;
          row.text[i] = null;
          continue;
        }
        row.isNull[i] = 0;
        switch (types[i]) {
          case 'int4':
            row.num[i] = buf.readInt32BE(p);
            break;
          case 'int8':
            row.num[i] = Number(buf.readBigInt64BE(p));
            break;
          case 'float8':
            row.num[i] = buf.readDoubleBE(p);
            break;
          case 'bool':
            row.num[i] = buf[p];
            break;
          case 'text':
            row.text[i] = buf.toString('utf8', p, p + len);
            break;
        }
        p += len;
      }
      pos = p;
      this.rows++;
      this.onRow(row);
    }
    // keep the unread tail (copied: the chunk's memory is the stream's)
    this.rest = pos < buf.length ? Buffer.from(buf.subarray(pos)) : EMPTY;
  }

  /** Checks that the stream ended with the end marker and nothing is left over. */
  end(): void {
    if (!this.finished || this.rest.length) throw new Error('binary COPY: the data ended before the end marker');
  }
}

/**
 * Runs `COPY (<select>) TO STDOUT (FORMAT binary)` on `client` and decodes every row into
 * `onRow`. COPY takes no bind parameters: `select` must carry its values as escaped literals.
 * Returns the number of rows.
 */
export async function copyOutBinary(client: PoolClient, select: string, types: readonly CopyColumnType[], onRow: (row: CopyRow) => void): Promise<number> {
  const reader = new BinaryCopyReader(types, onRow);
  const stream = client.query(copyTo(`copy (${select}) to stdout (format binary)`));
  for await (const chunk of stream) reader.write(chunk as Buffer);
  reader.end();
  return reader.rows;
}

import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { CsvScanFatalError, CsvScanner, parseCsvRecord } from '../../src/imports/csv-scanner';
import { ImportTooLargeError } from '../../src/imports/import-errors';

/** Scans `input` cut at the given byte offsets; returns what COPY would receive, as text. */
function scan(input: Buffer | string, cuts: number[] = [], maxBytes = 1e9) {
  const buf = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const scanner = new CsvScanner({ maxBytes });
  const out: Buffer[] = [];
  let prev = 0;
  for (const c of [...cuts.filter((c) => c > 0 && c < buf.length).sort((a, b) => a - b), buf.length]) {
    out.push(scanner.push(buf.subarray(prev, c)));
    prev = c;
  }
  out.push(scanner.end());
  return { scanner, copy: Buffer.concat(out).toString('utf8') };
}

describe('CsvScanner', () => {
  it('reads the header itself and prefixes each record with its line number', () => {
    const { scanner, copy } = scan('a,b\n1,2\n3,4\n');
    expect(scanner.header).toEqual(['a', 'b']);
    expect(copy).toBe('2,1,2\n3,3,4\n');
    expect(scanner.records).toBe(2);
    expect(scanner.totalErrors).toBe(0);
  });

  it('strips a UTF-8 BOM, normalises CRLF, and accepts a last line without newline', () => {
    const { scanner, copy } = scan('\uFEFFa,b\r\n1,2\r\n3,4');
    expect(scanner.header).toEqual(['a', 'b']);
    expect(copy).toBe('2,1,2\n3,3,4\n');
  });

  it('keeps quoted commas, quotes and newlines inside a field and counts the lines they take', () => {
    const text = 'id,note\nA,"x, y"\nB,"two\r\nlines"\nC,"say ""hi""\n\nthere"\nD,last\n';
    const { copy } = scan(text);
    // B starts on line 3 and takes lines 3–4; C takes 5–7; D is on line 8.
    expect(copy).toBe('2,A,"x, y"\n3,B,"two\r\nlines"\n5,C,"say ""hi""\n\nthere"\n8,D,last\n');
  });

  it('holds back records with the wrong number of fields, naming their lines', () => {
    const { scanner, copy } = scan('a,b,c\n1,2,3\n1,2\n"x\ny",2,3,4\n5,6,7\n');
    expect(copy).toBe('2,1,2,3\n6,5,6,7\n');
    expect(scanner.errors).toEqual([
      { line: 3, reason: 'has 2 fields but the header has 3 (check commas and quoting)' },
      { line: 4, reason: 'has 4 fields but the header has 3 (check commas and quoting)' },
    ]);
  });

  it('skips blank lines (but counts them)', () => {
    const { copy } = scan('a,b\n\n1,2\r\n\r\n3,4\n\n');
    expect(copy).toBe('3,1,2\n5,3,4\n');
  });

  it('holds back invalid UTF-8, NUL bytes and bare carriage returns', () => {
    const input = Buffer.concat([
      Buffer.from('a,b\n1,ok\n2,'),
      Buffer.from([0xc3, 0x28]), // invalid 2-byte sequence
      Buffer.from('\n3,nul'),
      Buffer.from([0x00]),
      Buffer.from('\n4,bare\rcr\n5,"quoted\rcr is data"\n6,中文😀\n'),
    ]);
    const { scanner, copy } = scan(input);
    expect(copy).toBe('2,1,ok\n6,5,"quoted\rcr is data"\n7,6,中文😀\n');
    expect(scanner.errors).toEqual([
      { line: 3, reason: 'is not valid UTF-8 (the file must be UTF-8 encoded)' },
      { line: 4, reason: 'contains a NUL byte (is this a text file?)' },
      { line: 5, reason: 'contains a carriage return outside quotes (line endings must be LF or CRLF)' },
    ]);
  });

  it('reports an unterminated quote at the record where it opens', () => {
    const { scanner, copy } = scan('a,b\n1,2\n3,"open\n4,5\n');
    expect(copy).toBe('2,1,2\n');
    expect(scanner.errors).toEqual([{ line: 3, reason: 'unterminated quoted field: a closing quote " is missing' }]);
  });

  it('passes a long quoted field spanning many chunks, and gives up on a runaway quote', () => {
    const long = 'x'.repeat(300_000);
    const text = `a,b\n1,"${long}\n${long}"\n2,z\n`;
    const cuts = Array.from({ length: 40 }, (_, i) => (i + 1) * 16_384);
    expect(scan(text, cuts).copy).toBe(`2,1,"${long}\n${long}"\n4,2,z\n`);
    const runaway = Buffer.from(`a,b\n1,ok\n2,"never closed ${'y'.repeat(17 * 1024 * 1024)}`);
    expect(() => scan(runaway, Array.from({ length: 20 }, (_, i) => (i + 1) * 1024 * 1024))).toThrow(
      new CsvScanFatalError(3, `a record is longer than ${16 * 1024 * 1024} bytes (a closing quote " is probably missing)`),
    );
  });

  it('needs a header', () => {
    expect(() => scan('')).toThrow(CsvScanFatalError);
    expect(() => scan('\uFEFF')).toThrow('the file is empty');
    expect(() => scan('\n1,2\n')).toThrow('the header row is empty');
  });

  it('parses a quoted header', () => {
    expect(scan('"a","b ""x""", c \n').scanner.header).toEqual(['a', 'b "x"', 'c']);
    expect(parseCsvRecord('x,"y,z",')).toEqual(['x', 'y,z', '']);
  });

  it('stops at IMPORT_MAX_BYTES', () => {
    expect(() => scan('a,b\n1,2\n', [], 7)).toThrow(ImportTooLargeError);
    expect(() => scan('a,b\n1,2\n', [], 7)).toThrow('file is larger than the import limit of 7 bytes (IMPORT_MAX_BYTES)');
    expect(scan('a,b\n1,2\n', [], 8).scanner.records).toBe(1);
  });

  it('hashes the bytes as given (BOM and CRLF included)', () => {
    const text = '\uFEFFa,b\r\n1,2\r\n';
    const { scanner } = scan(text, [1, 5]);
    expect(scanner.bytesRead).toBe(Buffer.byteLength(text));
    expect(scanner.digest()).toBe(createHash('sha256').update(text).digest('hex'));
  });

  it('keeps nothing of an input chunk after push(): the caller may reuse its buffer', () => {
    const text = '\uFEFFid,note\r\nA,"x, y"\nB,"two\r\nlines"\nC,"say ""hi""\n\nthere"\nD,中文😀\nE,tail without newline';
    const whole = scan(text);
    const digest = whole.scanner.digest();
    const input = Buffer.from(text, 'utf8');
    for (const size of [1, 2, 3, 5, 7, 16]) {
      const scanner = new CsvScanner({ maxBytes: 1e9 });
      const reused = Buffer.alloc(size);
      const out: Buffer[] = [];
      for (let i = 0; i < input.length; i += size) {
        const n = input.copy(reused, 0, i, i + size);
        out.push(Buffer.from(scanner.push(reused.subarray(0, n))));
        reused.fill(0x58); // scribble over it
      }
      out.push(scanner.end());
      expect(Buffer.concat(out).toString('utf8')).toBe(whole.copy);
      expect(scanner.digest()).toBe(digest);
    }
  });

  it('writes into the output buffers handed back with recycle(), and only into its own', () => {
    const rows = Array.from({ length: 5000 }, (_, i) => `${i},"name ${i}\nmore",x`).join('\n');
    const input = Buffer.from(`a,b,c\n${rows}\n`);
    const whole = scan(input).copy;
    const scanner = new CsvScanner({ maxBytes: 1e9 });
    const out: string[] = [];
    const foreign = Buffer.alloc(1 << 20);
    const seen = new Set<ArrayBufferLike>();
    for (let i = 0; i < input.length; i += 4096) {
      const o = scanner.push(input.subarray(i, i + 4096));
      seen.add(o.buffer);
      out.push(o.toString('utf8'));
      scanner.recycle(o); // its bytes are "sent": the next push may overwrite them
      scanner.recycle(foreign);
    }
    out.push(scanner.end().toString('utf8'));
    expect(out.join('')).toBe(whole);
    expect(seen.size).toBeLessThan(5); // the same few buffers, over and over
    expect(foreign.every((b) => b === 0)).toBe(true);
  });

  it('gives the same output however the input is cut into chunks', () => {
    const rows = fc.array(
      fc.tuple(fc.string({ unit: 'grapheme', maxLength: 6 }), fc.oneof(fc.constantFrom('x', '"q,\n""z"', '"a\r\nb"', ''), fc.string({ unit: 'grapheme-ascii', maxLength: 4 }).map((s) => s.replace(/[",\r\n]/g, '')))),
      { maxLength: 12 },
    );
    fc.assert(
      fc.property(rows, fc.boolean(), fc.boolean(), fc.array(fc.nat(400), { maxLength: 8 }), (recs, bom, crlf, cuts) => {
        const nl = crlf ? '\r\n' : '\n';
        const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
        const text = (bom ? '\uFEFF' : '') + 'k,v' + nl + recs.map(([k, v]) => `${quote(k)},${v}`).join(nl) + nl;
        const whole = scan(text);
        const cut = scan(text, cuts);
        expect(cut.copy).toBe(whole.copy);
        expect(cut.scanner.errors).toEqual(whole.scanner.errors);
        expect(cut.scanner.digest()).toBe(whole.scanner.digest());
      }),
      { numRuns: 300, seed: 20261123 },
    );
  });
});

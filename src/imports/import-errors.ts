import type { ImportEntity } from './import-entities';

/** One problem in an imported file, for humans: where, what, why. */
export interface ImportRowError {
  /** the file's physical line number (the header is line 1); null for file-wide problems */
  line: number | null;
  column: string | null;
  value: string | null;
  reason: string;
}

/** How many errors a failed import reports in detail (the total is always counted). */
export const MAX_REPORTED_ERRORS = 1000;

/** The file (or its header) broke the data contract: nothing was written. */
export class ImportValidationError extends Error {
  constructor(
    readonly entity: ImportEntity,
    /** the first errors (at least MAX_REPORTED_ERRORS when there are that many), ordered by line */
    readonly errors: ImportRowError[],
    readonly totalErrors: number,
  ) {
    super(
      `${entity}: ${totalErrors} invalid ${totalErrors === 1 ? 'row' : 'rows'} — nothing was imported` +
        (errors.length ? `; first: ${formatImportRowError(errors[0])}` : ''),
    );
    this.name = 'ImportValidationError';
  }
}

/** The file exceeds IMPORT_MAX_BYTES: reading stopped there and nothing was written. */
export class ImportTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`file is larger than the import limit of ${limitBytes} bytes (IMPORT_MAX_BYTES)`);
    this.name = 'ImportTooLargeError';
  }
}

/** `line 7, column amount, value "12.345": money must have at most 2 decimal places` */
export function formatImportRowError(e: ImportRowError): string {
  const parts: string[] = [];
  if (e.line !== null) parts.push(`line ${e.line}`);
  if (e.column !== null) parts.push(`column ${e.column}`);
  if (e.value !== null) parts.push(`value ${JSON.stringify(e.value)}`);
  return parts.length ? `${parts.join(', ')}: ${e.reason}` : e.reason;
}

/** RFC 9457 problem details, the shape of every error Yardstick returns. */
export interface ProblemFieldError {
  field?: string;
  line?: number | null;
  column?: string | null;
  value?: unknown;
  reason: string;
}

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  request_id?: string;
  errors?: ProblemFieldError[];
  [extension: string]: unknown;
}

export const PROBLEM_BASE = 'https://yardstick.dev/problems/';

/** Throw from anywhere in a request to answer with exactly this problem. */
export class ProblemException extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly extra: { type?: string; errors?: ProblemFieldError[]; [k: string]: unknown } = {},
  ) {
    super(detail ?? title);
    this.name = 'ProblemException';
  }
}

export const notFound = (what: string, id: string) =>
  new ProblemException(404, 'Not Found', `${what} ${JSON.stringify(id)} does not exist`, { type: `${PROBLEM_BASE}not-found` });

export const forbidden = (detail = 'this resource is outside your scope') =>
  new ProblemException(403, 'Forbidden', detail, { type: `${PROBLEM_BASE}forbidden` });

import { PROBLEM_BASE, ProblemException, type ProblemFieldError } from '../common/problem-details';

/** Who makes a change (a user, or Yardstick itself for seeds: userId null). */
export interface Actor {
  userId: number | null;
  email: string | null;
}

/** 422 listing every problem, each naming its field (and criterion). */
export function invalid(errors: ProblemFieldError[]): ProblemException {
  return new ProblemException(422, 'Unprocessable Content', errors.map((e) => `${e.field}: ${e.reason}`).join('; '), {
    type: `${PROBLEM_BASE}validation`,
    errors,
  });
}

export function conflict(detail: string): ProblemException {
  return new ProblemException(409, 'Conflict', detail, { type: `${PROBLEM_BASE}conflict` });
}

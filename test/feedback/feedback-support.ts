import type { Clock } from '../../src/common/clock';
import { FEEDBACK_CLOCK } from '../../src/feedback/feedback.service';
import type { Role } from '../../src/users/user.entity';
import type { TestApp } from '../support/test-app';

/** Sets the 360 clock of a test app (an instant, ISO 8601). */
export function setClock(t: TestApp, iso: string): void {
  const clock = t.app.get<Clock>(FEEDBACK_CLOCK);
  const at = new Date(iso);
  clock.now = () => new Date(at);
}

export type Http = TestApp['http'];

/** A request helper bound to a bearer token. */
export function as(t: TestApp, token: string | null) {
  const auth = <R extends { set(k: string, v: string): R }>(r: R) => (token ? r.set('Authorization', `Bearer ${token}`) : r);
  return {
    get: (url: string) => auth(t.http.get(url)),
    post: (url: string, body?: object) => auth(t.http.post(url)).send(body ?? {}),
    put: (url: string, body?: object) => auth(t.http.put(url)).send(body ?? {}),
  };
}

export interface Person {
  email: string;
  token: string;
}

/** Logs in (creating) a user and returns its e-mail and token. */
export async function person(t: TestApp, role: Role, email: string, opts: { agentId?: string; teamIds?: string[] } = {}): Promise<Person> {
  return { email, token: await t.login(role, { ...opts, email }) };
}

export type Rating = 1 | 2 | 3 | 4 | 5 | 'cannot_rate';

/** A response body from ratings in question order (q = the cycle's question ids in order). */
export function responseBody(q: number[], ratings: Rating[], extra: { comment?: string | null; competency_comments?: { competency_id: number; text: string }[] } = {}) {
  if (q.length !== ratings.length) throw new Error('one rating per question');
  return { answers: q.map((question_id, i) => ({ question_id, rating: ratings[i] })), ...extra };
}

/** Every string (keys and values) of a JSON value, for "does this appear anywhere" checks. */
export function allStrings(x: unknown): string[] {
  if (typeof x === 'string') return [x];
  if (Array.isArray(x)) return x.flatMap(allStrings);
  if (x && typeof x === 'object') return Object.entries(x).flatMap(([k, v]) => [k, ...allStrings(v)]);
  return [];
}

import { inWindow, validateClose, windowEnded, windowEndsOn } from '../../../src/retention/domain/win-back';

describe('win-back window (opened_on, opened_on + N]', () => {
  const opened = '2026-11-02';
  const end = windowEndsOn(opened, 90);
  it('ends N days after the opening day', () => {
    expect(end).toBe('2027-01-31');
    expect(windowEndsOn('2024-02-28', 1)).toBe('2024-02-29');
  });
  it('an order on the last day counts; on the opening day or after the last day it does not', () => {
    expect(inWindow('2027-01-31', opened, end)).toBe(true);
    expect(inWindow('2026-11-03', opened, end)).toBe(true);
    expect(inWindow('2026-11-02', opened, end)).toBe(false);
    expect(inWindow('2027-02-01', opened, end)).toBe(false);
  });
  it('is settled from the day after its last day', () => {
    expect(windowEnded(end, '2027-01-31')).toBe(false);
    expect(windowEnded(end, '2027-02-01')).toBe(true);
  });
});

describe('closing a task', () => {
  const fields = (r: ReturnType<typeof validateClose>) => (r.ok ? [] : r.errors.map((e) => e.field));
  it('lost needs a complaint category and a controllable flag', () => {
    expect(fields(validateClose({ outcome: 'lost' }))).toEqual(['churn_reason', 'controllable']);
    expect(fields(validateClose({ outcome: 'lost', churn_reason: 'bad luck', controllable: 1 }))).toEqual(['churn_reason', 'controllable']);
    const ok = validateClose({ outcome: 'lost', churn_reason: 'PRICING', controllable: false });
    expect(ok).toEqual({ ok: true, value: { outcome: 'lost', churnReason: 'pricing', controllable: false, note: null } });
  });
  it('other outcomes take no reason', () => {
    expect(fields(validateClose({ outcome: 'retained', controllable: true }))).toEqual(['controllable']);
    expect(fields(validateClose({ outcome: 'maybe' }))).toEqual(['outcome']);
    expect(fields(validateClose({}))).toEqual(['outcome']);
    expect(validateClose({ outcome: 'not_pursued', note: 'moved abroad' })).toEqual({
      ok: true,
      value: { outcome: 'not_pursued', churnReason: null, controllable: null, note: 'moved abroad' },
    });
  });
});

import fc from 'fast-check';
import {
  evaluateSignals,
  fallingContact,
  frequencyDrop,
  lowPAlive,
  riskLevel,
  riskLevelOfMask,
  risingComplaints,
  signalMask,
  unhappy,
  type CustomerCounts,
} from '../../../src/retention/domain/risk-signals';

const quiet: CustomerCounts = {
  pAlive: 0.9,
  purchaseDaysRecent: 0,
  purchaseDaysBefore: 0,
  complaintsRecent: 0,
  complaintsEarlier: 0,
  ticketsRecent: 0,
  ticketsEarlier: 0,
  surveysRecent: 0,
  surveysEarlier: 0,
  unhappySurveys: 0,
  unhappyMinCsat: null,
  unhappyMinNps: null,
};
const c = (over: Partial<CustomerCounts>): CustomerCounts => ({ ...quiet, ...over });

describe('signals (retention.md)', () => {
  it('low_p_alive: strictly below the threshold; no P(alive) never fires', () => {
    expect(lowPAlive(c({ pAlive: 0.4999 }), 0.5)).toBe(true);
    expect(lowPAlive(c({ pAlive: 0.5 }), 0.5)).toBe(false);
    expect(lowPAlive(c({ pAlive: null }), 0.5)).toBe(false);
  });

  it('frequency_drop: ≥ 2 purchase days before, recent fewer than half of before × 90 / 365', () => {
    // before 73 → expected 18, half 9
    expect(frequencyDrop(c({ purchaseDaysBefore: 73, purchaseDaysRecent: 9 }))).toBe(false); // exactly half
    expect(frequencyDrop(c({ purchaseDaysBefore: 73, purchaseDaysRecent: 8 }))).toBe(true);
    // before 2 → expected 0.493…, half 0.246…: only 0 recent days fire
    expect(frequencyDrop(c({ purchaseDaysBefore: 2, purchaseDaysRecent: 0 }))).toBe(true);
    expect(frequencyDrop(c({ purchaseDaysBefore: 2, purchaseDaysRecent: 1 }))).toBe(false);
    expect(frequencyDrop(c({ purchaseDaysBefore: 1, purchaseDaysRecent: 0 }))).toBe(false); // the ≥ 2 floor
    // before 365 → expected 90, half 45
    expect(frequencyDrop(c({ purchaseDaysBefore: 365, purchaseDaysRecent: 45 }))).toBe(false);
    expect(frequencyDrop(c({ purchaseDaysBefore: 365, purchaseDaysRecent: 44 }))).toBe(true);
    expect(evaluateSignals(c({ purchaseDaysBefore: 6, purchaseDaysRecent: 0 }), 0.5).frequency_drop).toEqual({ recent_days: 0, earlier_days: 6, expected: 540 / 365 });
  });

  it('frequency_drop agrees with the real-number rule recent < before × 90 / 365 / 2 everywhere', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 455 }), fc.integer({ min: 0, max: 90 }), (before, recent) => {
        const exact = before >= 2 && recent * 730 < before * 90;
        expect(frequencyDrop(c({ purchaseDaysBefore: before, purchaseDaysRecent: recent }))).toBe(exact);
      }),
    );
  });

  it('rising_complaints: ≥ 2 recent and more than earlier', () => {
    expect(risingComplaints(c({ complaintsRecent: 2, complaintsEarlier: 1 }))).toBe(true);
    expect(risingComplaints(c({ complaintsRecent: 2, complaintsEarlier: 2 }))).toBe(false);
    expect(risingComplaints(c({ complaintsRecent: 1, complaintsEarlier: 0 }))).toBe(false);
    expect(risingComplaints(c({ complaintsRecent: 3, complaintsEarlier: 2 }))).toBe(true);
  });

  it('falling_contact: tickets + surveys at most half of earlier, which were ≥ 4', () => {
    expect(fallingContact(c({ ticketsEarlier: 3, surveysEarlier: 1, ticketsRecent: 2 }))).toBe(true); // 2 ≤ 4 / 2
    expect(fallingContact(c({ ticketsEarlier: 3, surveysEarlier: 1, ticketsRecent: 2, surveysRecent: 1 }))).toBe(false);
    expect(fallingContact(c({ ticketsEarlier: 3 }))).toBe(false); // the floor of 4
    expect(fallingContact(c({ ticketsEarlier: 5, ticketsRecent: 2 }))).toBe(true); // 2 ≤ 2.5
    expect(fallingContact(c({ ticketsEarlier: 5, ticketsRecent: 3 }))).toBe(false);
  });

  it('unhappy: any recent survey with csat ≤ 2 or nps ≤ 6', () => {
    expect(unhappy(c({ unhappySurveys: 1, unhappyMinCsat: 2 }))).toBe(true);
    expect(unhappy(c({}))).toBe(false);
    expect(evaluateSignals(c({ unhappySurveys: 2, unhappyMinCsat: 5, unhappyMinNps: 3 }), 0.5).unhappy).toEqual({ surveys: 2, min_csat: 5, min_nps: 3 });
  });
});

describe('risk level', () => {
  it('high with low_p_alive alone or with ≥ 2 signals; medium with exactly one; low with none', () => {
    expect(riskLevel({})).toBe('low');
    expect(riskLevel({ low_p_alive: { p_alive: 0.1, threshold: 0.5 } })).toBe('high');
    expect(riskLevel({ unhappy: { surveys: 1, min_csat: 1, min_nps: null } })).toBe('medium');
    expect(riskLevel({ frequency_drop: { recent_days: 0, earlier_days: 2, expected: 0.5 } })).toBe('medium');
    expect(riskLevel({ unhappy: { surveys: 1, min_csat: 1, min_nps: null }, rising_complaints: { recent: 2, earlier: 0 } })).toBe('high');
  });

  it('the mask and the signal objects agree for every combination', () => {
    fc.assert(
      fc.property(
        fc.record({
          pAlive: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }),
          purchaseDaysRecent: fc.nat(40),
          purchaseDaysBefore: fc.nat(100),
          complaintsRecent: fc.nat(5),
          complaintsEarlier: fc.nat(5),
          ticketsRecent: fc.nat(6),
          ticketsEarlier: fc.nat(8),
          surveysRecent: fc.nat(3),
          surveysEarlier: fc.nat(3),
          unhappySurveys: fc.nat(2),
          unhappyMinCsat: fc.constant(null),
          unhappyMinNps: fc.constant(null),
        }),
        (x) => {
          const fired = evaluateSignals(x, 0.5);
          expect(riskLevelOfMask(signalMask(x, 0.5))).toBe(riskLevel(fired));
          const n = Object.keys(fired).length;
          expect(riskLevel(fired)).toBe(fired.low_p_alive || n >= 2 ? 'high' : n === 1 ? 'medium' : 'low');
        },
      ),
    );
  });
});

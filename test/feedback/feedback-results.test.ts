import fc from 'fast-check';
import { ANONYMOUS_GROUPS, RATER_GROUPS, type RaterGroup } from '../../src/feedback/domain/anonymity';
import {
  buildResults,
  codePointCompare,
  meanOfAgentScores,
  scoreFrom,
  type CellTally,
  type CommentData,
  type GroupData,
  type SubjectFeedbackData,
} from '../../src/feedback/domain/feedback-results';

const K1 = 11;
const K2 = 12;
const COMPETENCIES = [
  { id: K1, name: 'Communication' },
  { id: K2, name: 'Ownership' },
];

/** A group from per-rater ratings per competency (null = cannot rate), as the SQL would aggregate them. */
function group(assigned: number, raters: Record<number, (number | null)[]>[]): GroupData {
  const cells: Record<number, CellTally> = {};
  let answered = 0;
  for (const r of raters) {
    let any = false;
    for (const [comp, ratings] of Object.entries(r)) {
      const given = ratings.filter((x): x is number => x !== null);
      if (!given.length) continue;
      any = true;
      const c = (cells[Number(comp)] ??= { sum: 0, ratings: 0, raters: 0 });
      c.sum += given.reduce((s, x) => s + x, 0);
      c.ratings += given.length;
      c.raters += 1;
    }
    if (any) answered++;
  }
  return { assigned, responded: raters.length, answered, cells };
}

describe('buildResults: the worked example of the e2e test', () => {
  const data: SubjectFeedbackData = {
    competencies: COMPETENCIES,
    groups: {
      self: group(1, [{ [K1]: [4, 4], [K2]: [5] }]),
      manager: group(1, [{ [K1]: [3, 4], [K2]: [4] }]),
      peer: group(3, [
        { [K1]: [5, 4], [K2]: [null] },
        { [K1]: [3, 3], [K2]: [4] },
        { [K1]: [4, 5], [K2]: [null] },
      ]),
      direct_report: group(2, [
        { [K1]: [2, 3], [K2]: [3] },
        { [K1]: [4, 4], [K2]: [4] },
      ]),
      customer: group(2, [{ [K1]: [5, 5], [K2]: [5] }]),
    },
    comments: [
      { group: 'customer', competencyId: null, text: 'Great service' },
      { group: 'direct_report', competencyId: null, text: 'Needs to delegate' },
      { group: 'peer', competencyId: K1, text: 'Very clear explanations' },
      { group: 'manager', competencyId: null, text: 'Solid' },
      { group: 'self', competencyId: null, text: 'I communicate well' },
    ],
  };

  it('matches the hand-worked numbers', () => {
    const r = buildResults(data, 3);
    expect(r.groups.map((g) => [g.group, g.status, g.count, g.mean])).toEqual([
      ['self', 'shown', 1, 13 / 3],
      ['manager', 'shown', 1, 11 / 3],
      ['peer', 'shown', 3, 4],
      ['direct_report', 'folded', 2, null],
      ['customer', 'folded', 1, null],
    ]);
    expect(r.others).toEqual({ members: ['direct_report', 'customer'], status: 'shown', count: 3, mean: 35 / 9 });
    expect(r.competencies[1].groups.find((g) => g.group === 'peer')).toEqual({ group: 'peer', count: null, mean: null, suppressed: true });
    expect(r.feedback_360_score.value).toBeCloseTo(104 / 27, 12);
    expect(r.feedback_360_score.groups.map((g) => g.group)).toEqual(['manager', 'others', 'peer']);
    expect(r.comments.map((c) => [c.group, c.text])).toEqual([
      ['self', 'I communicate well'],
      ['manager', 'Solid'],
      ['peer', 'Very clear explanations'],
      ['others', 'Great service'],
      ['others', 'Needs to delegate'],
    ]);
  });

  it('with a threshold of 4 the peers fold too, and "others" pools them with the rest', () => {
    const r = buildResults(data, 4);
    expect(r.others).toMatchObject({ members: ['peer', 'direct_report', 'customer'], status: 'shown', count: 6 });
    // K1: peers 24 over 6, others 23 over 6 → 47/12; K2: 4 + 3 + 4 + 5 over 4 ratings by 4 raters → 4
    expect(r.competencies[0].groups.find((g) => g.group === 'others')).toEqual({ group: 'others', count: 6, mean: 47 / 12, suppressed: false });
    expect(r.competencies[1].groups.find((g) => g.group === 'others')).toEqual({ group: 'others', count: 4, mean: 4, suppressed: false });
    expect(r.others!.mean).toBe((47 + 16) / 16);
    expect(r.comments.filter((c) => c.group === 'others').map((c) => c.text)).toEqual(['Great service', 'Needs to delegate', 'Very clear explanations']);
    expect(r.comments.some((c) => c.group === 'peer')).toBe(false);
  });

  it('with a threshold of 7 nothing anonymous is shown: the score is the manager alone', () => {
    const r = buildResults(data, 7);
    expect(r.others).toMatchObject({ status: 'hidden', mean: null, count: 6 });
    expect(r.feedback_360_score).toEqual({ value: 11 / 3, numerator: 11 / 3, denominator: 1, sample_size: 1, groups: [{ group: 'manager', count: 1, mean: 11 / 3 }] });
    expect(r.comments.map((c) => c.group)).toEqual(['self', 'manager']);
  });

  it('no rater group, or only self: the score is null with an empty sample', () => {
    expect(buildResults({ competencies: COMPETENCIES, groups: {} }, 3).feedback_360_score).toEqual({ value: null, numerator: 0, denominator: 0, sample_size: 0, groups: [] });
    const onlySelf = buildResults({ competencies: COMPETENCIES, groups: { self: group(1, [{ [K1]: [4, 4], [K2]: [4] }]) } }, 3);
    expect(onlySelf.feedback_360_score.value).toBeNull();
    expect(onlySelf.overall).toEqual({ self_mean: 4, non_self_mean: null, gap: null });
  });

  it('a shown group whose every cell is suppressed has no mean and does not count', () => {
    // 3 peers answered, but each rated a different competency: no cell reaches 3
    const r = buildResults(
      { competencies: COMPETENCIES, groups: { manager: group(1, [{ [K1]: [3] }]), peer: group(3, [{ [K1]: [5] }, { [K2]: [1] }, { [K1]: [2], [K2]: [null] }]) } },
      3,
    );
    expect(r.groups.find((g) => g.group === 'peer')).toMatchObject({ status: 'shown', count: 3, mean: null });
    expect(r.competencies.flatMap((c) => c.groups.filter((g) => g.group === 'peer'))).toEqual([
      { group: 'peer', count: null, mean: null, suppressed: true },
      { group: 'peer', count: null, mean: null, suppressed: true },
    ]);
    expect(r.feedback_360_score.groups.map((g) => g.group)).toEqual(['manager']);
  });

  it('rejects impossible cells', () => {
    const bad = (cell: CellTally) => () => buildResults({ competencies: COMPETENCIES, groups: { peer: { assigned: 3, responded: 3, answered: 3, cells: { [K1]: cell } } } }, 3);
    expect(bad({ sum: 2, ratings: 1, raters: 2 })).toThrow('invalid cell');
    expect(bad({ sum: 7, ratings: 1, raters: 1 })).toThrow('sum 7 of 1 ratings');
    expect(bad({ sum: 0, ratings: 1, raters: 1 })).toThrow(RangeError);
  });
});

describe('scoreFrom and meanOfAgentScores', () => {
  it('add in name order and count raters', () => {
    expect(scoreFrom([
      { group: 'peer', count: 3, mean: 4 },
      { group: 'manager', count: 1, mean: 3 },
    ])).toEqual({ value: 3.5, numerator: 7, denominator: 2, sample_size: 4, groups: [{ group: 'manager', count: 1, mean: 3 }, { group: 'peer', count: 3, mean: 4 }] });
  });

  it('a team is the mean of its agents with a score', () => {
    expect(meanOfAgentScores([
      { agentId: 'B', value: 4, sampleSize: 5 },
      { agentId: 'A', value: 3, sampleSize: 7 },
      { agentId: 'C', value: null, sampleSize: 0 },
    ])).toEqual({ value: 3.5, numerator: 7, denominator: 2, sample_size: 12, agents: [{ agentId: 'A', value: 3, sampleSize: 7 }, { agentId: 'B', value: 4, sampleSize: 5 }] });
    expect(meanOfAgentScores([])).toEqual({ value: null, numerator: 0, denominator: 0, sample_size: 0, agents: [] });
  });

  it('codePointCompare is PostgreSQL collate "C" (UTF-8 byte order)', () => {
    const ids = ['b', 'B', 'a10', 'a9', '李', 'é', 'z', '😀', '\uffff'];
    const sorted = [...ids].sort(codePointCompare);
    expect(sorted).toEqual(['B', 'a10', 'a9', 'b', 'z', 'é', '李', '\uffff', '😀']);
    expect([...ids].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)))).toEqual(sorted);
  });

  it('team values do not depend on the order agents come in (exactly), and lie within the agents’ range', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.record({ agentId: fc.string({ minLength: 1, maxLength: 6 }), value: fc.option(fc.double({ min: 1, max: 5, noNaN: true })), sampleSize: fc.nat(30) }), {
          selector: (a) => a.agentId,
          maxLength: 12,
        }),
        (scores) => {
          const a = meanOfAgentScores(scores);
          const b = meanOfAgentScores([...scores].reverse());
          expect(a).toEqual(b);
          const values = scores.flatMap((s) => (s.value === null ? [] : [s.value]));
          if (!values.length) expect(a.value).toBeNull();
          else {
            expect(a.value!).toBeGreaterThanOrEqual(Math.min(...values) - 1e-9);
            expect(a.value!).toBeLessThanOrEqual(Math.max(...values) + 1e-9);
          }
        },
      ),
    );
  });
});

// ---------------------------------------------------------------------------------------
// Invariants over random subjects

type RawRater = Record<number, (number | null)[]>;
const rating = fc.oneof(fc.integer({ min: 1, max: 5 }), fc.constant(null));
const rawRater = fc.record({ [K1]: fc.array(rating, { minLength: 2, maxLength: 2 }), [K2]: fc.array(rating, { minLength: 1, maxLength: 1 }) }) as fc.Arbitrary<RawRater>;
const rawGroup = fc.record({ extraAssigned: fc.nat(2), raters: fc.array(rawRater, { maxLength: 6 }) });
const rawSubject = fc.record({
  groups: fc.record(Object.fromEntries(RATER_GROUPS.map((g) => [g, g === 'self' ? fc.record({ extraAssigned: fc.constant(0), raters: fc.array(rawRater, { maxLength: 1 }) }) : rawGroup])) as Record<
    RaterGroup,
    typeof rawGroup
  >),
  comments: fc.array(fc.record({ group: fc.constantFrom(...RATER_GROUPS), competencyId: fc.constantFrom(null, K1, K2), text: fc.string({ minLength: 1, maxLength: 8 }) }), { maxLength: 10 }),
  minRaters: fc.integer({ min: 1, max: 5 }),
});

function subjectOf(raw: { groups: Record<RaterGroup, { extraAssigned: number; raters: RawRater[] }>; comments: CommentData[] }): SubjectFeedbackData {
  const groups: Partial<Record<RaterGroup, GroupData>> = {};
  for (const g of RATER_GROUPS) {
    const x = raw.groups[g];
    if (x.raters.length + x.extraAssigned > 0) groups[g] = group(x.raters.length + x.extraAssigned, x.raters);
  }
  return { competencies: COMPETENCIES, groups, comments: raw.comments.filter((c) => groups[c.group]?.responded) };
}

describe('buildResults: invariants (fast-check)', () => {
  it('every anonymous mean shown rests on ≥ FEEDBACK_MIN_RATERS raters; values stay within 1–5', () => {
    fc.assert(
      fc.property(rawSubject, (raw) => {
        const data = subjectOf(raw);
        const n = raw.minRaters;
        const r = buildResults(data, n);
        for (const c of r.competencies) {
          for (const cell of c.groups) {
            if (cell.group !== 'self' && cell.group !== 'manager') {
              if (cell.mean !== null) expect(cell.count!).toBeGreaterThanOrEqual(n);
              expect(cell.suppressed).toBe(cell.mean === null);
            }
            if (cell.mean !== null) {
              expect(cell.mean).toBeGreaterThanOrEqual(1);
              expect(cell.mean).toBeLessThanOrEqual(5);
            }
          }
        }
        for (const g of r.groups) if (ANONYMOUS_GROUPS.includes(g.group) && g.mean !== null) expect(g.count).toBeGreaterThanOrEqual(n);
        if (r.others?.status === 'shown') expect(r.others.count).toBeGreaterThanOrEqual(n);
        const s = r.feedback_360_score;
        expect(s.denominator).toBe(s.groups.length);
        if (s.value === null) expect(s.denominator).toBe(0);
        else {
          expect(s.value).toBeGreaterThanOrEqual(1);
          expect(s.value).toBeLessThanOrEqual(5);
          expect(s.value).toBe(s.numerator / s.denominator);
        }
        expect(s.groups.some((g) => g.group === 'self')).toBe(false);
      }),
    );
  });

  it('hidden groups and suppressed cells do not influence anything shown (change them: same result)', () => {
    fc.assert(
      fc.property(rawSubject, fc.integer({ min: 1, max: 5 }), fc.string({ minLength: 1, maxLength: 8 }), (raw, newRating, newText) => {
        const data = subjectOf(raw);
        const n = raw.minRaters;
        const before = buildResults(data, n);
        // rewrite every rating of the hidden groups, and every suppressed anonymous cell, keeping the counts
        const hidden = new Set(before.groups.filter((g) => g.status === 'hidden').map((g) => g.group));
        const suppressed = new Set<string>();
        for (const c of before.competencies) for (const cell of c.groups) if (cell.suppressed) suppressed.add(`${cell.group}:${c.competency_id}`);
        const changed: SubjectFeedbackData = {
          ...data,
          groups: Object.fromEntries(
            Object.entries(data.groups).map(([g, d]) => {
              const cells = Object.fromEntries(
                Object.entries(d!.cells).map(([comp, cell]) => {
                  const shownAs = before.groups.find((x) => x.group === g)?.shown_as;
                  const touch = hidden.has(g as RaterGroup) || (shownAs !== null && shownAs !== undefined && suppressed.has(`${shownAs}:${comp}`));
                  return [comp, touch ? { ...cell, sum: newRating * cell.ratings } : cell];
                }),
              );
              return [g, { ...d!, cells }];
            }),
          ),
          comments: [...(data.comments ?? []).map((c) => (hidden.has(c.group) ? { ...c, text: newText } : c))].reverse(),
        };
        expect(buildResults(changed, n)).toEqual(before);
      }),
    );
  });

  it('comments come in a fixed order whatever order they were written in, and only from shown groups', () => {
    fc.assert(
      fc.property(rawSubject, (raw) => {
        const data = subjectOf(raw);
        const a = buildResults(data, raw.minRaters);
        const b = buildResults({ ...data, comments: [...(data.comments ?? [])].reverse() }, raw.minRaters);
        expect(b.comments).toEqual(a.comments);
        const shown = new Set<string>([...a.groups.filter((g) => g.status === 'shown').map((g) => g.group), ...(a.others?.status === 'shown' ? ['others'] : [])]);
        for (const c of a.comments) expect(shown.has(c.group)).toBe(true);
        for (const c of a.comments) expect(Object.keys(c).sort()).toEqual(['competency_id', 'group', 'text']);
      }),
    );
  });
});

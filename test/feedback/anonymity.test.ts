import fc from 'fast-check';
import {
  ANONYMOUS_GROUPS,
  RATER_GROUPS,
  assertMinRaters,
  cellVisible,
  foldGroups,
  isAnonymousGroup,
  isRaterGroup,
  type GroupTally,
  type RaterGroup,
} from '../../src/feedback/domain/anonymity';

const t = (responded: number, answered = responded): GroupTally => ({ responded, answered });

describe('foldGroups: examples', () => {
  it('self and manager are shown as they are, even alone', () => {
    const plan = foldGroups({ self: t(1), manager: t(1) }, 3);
    expect(plan.groups.self).toEqual({ status: 'shown', shownAs: 'self' });
    expect(plan.groups.manager).toEqual({ status: 'shown', shownAs: 'manager' });
    expect(plan.others).toBeNull();
  });

  it('an anonymous group with ≥ FEEDBACK_MIN_RATERS answers is shown on its own', () => {
    const plan = foldGroups({ peer: t(3), customer: t(5) }, 3);
    expect(plan.groups.peer).toEqual({ status: 'shown', shownAs: 'peer' });
    expect(plan.groups.customer).toEqual({ status: 'shown', shownAs: 'customer' });
    expect(plan.groups.direct_report).toEqual({ status: 'no_responses', shownAs: null });
    expect(plan.others).toBeNull();
  });

  it('groups below the threshold fold into "others" when together they reach it', () => {
    const plan = foldGroups({ peer: t(4), direct_report: t(2), customer: t(1) }, 3);
    expect(plan.groups.peer.status).toBe('shown');
    expect(plan.groups.direct_report).toEqual({ status: 'folded', shownAs: 'others' });
    expect(plan.groups.customer).toEqual({ status: 'folded', shownAs: 'others' });
    expect(plan.others).toEqual({ members: ['direct_report', 'customer'], answered: 3, shown: true });
  });

  it('…and are hidden when "others" stays below it', () => {
    const plan = foldGroups({ peer: t(2), customer: t(0) }, 3);
    expect(plan.groups.peer).toEqual({ status: 'hidden', shownAs: null });
    expect(plan.groups.customer).toEqual({ status: 'no_responses', shownAs: null });
    expect(plan.others).toEqual({ members: ['peer'], answered: 2, shown: false });
  });

  it('a lone group below the threshold can never be "others" on its own', () => {
    for (let n = 1; n < 5; n++) expect(foldGroups({ peer: t(n) }, 5).others?.shown).toBe(false);
  });

  it('raters who only answered "cannot rate" responded but do not count towards the threshold', () => {
    // 3 responded, 1 rated: the mean would be one person's
    const plan = foldGroups({ peer: t(3, 1) }, 3);
    expect(plan.groups.peer.status).toBe('hidden');
    expect(plan.others).toEqual({ members: ['peer'], answered: 1, shown: false });
    // they may still carry comments into "others" (their group folds), without counting
    const two = foldGroups({ peer: t(2, 0), customer: t(3, 3), direct_report: t(2, 2) }, 3);
    expect(two.groups.peer.status).toBe('hidden');
    expect(two.others).toEqual({ members: ['peer', 'direct_report'], answered: 2, shown: false });
  });

  it('FEEDBACK_MIN_RATERS = 1 shows every group that rated', () => {
    const plan = foldGroups({ peer: t(1), direct_report: t(1, 0) }, 1);
    expect(plan.groups.peer.status).toBe('shown');
    expect(plan.groups.direct_report.status).toBe('hidden');
  });

  it('rejects impossible tallies and thresholds', () => {
    expect(() => foldGroups({ peer: t(1, 2) }, 3)).toThrow('invalid tally for group peer');
    expect(() => foldGroups({ peer: t(-1, 0) }, 3)).toThrow(RangeError);
    expect(() => foldGroups({}, 0)).toThrow('FEEDBACK_MIN_RATERS');
    expect(() => assertMinRaters(2.5)).toThrow(RangeError);
  });
});

describe('cellVisible', () => {
  it('self and manager cells show whenever someone rated; anonymous cells need the threshold', () => {
    expect(cellVisible('self', 1, 3)).toBe(true);
    expect(cellVisible('manager', 1, 3)).toBe(true);
    expect(cellVisible('manager', 0, 3)).toBe(false);
    for (const g of ['peer', 'direct_report', 'customer', 'others'] as const) {
      expect(cellVisible(g, 2, 3)).toBe(false);
      expect(cellVisible(g, 3, 3)).toBe(true);
      expect(cellVisible(g, 0, 1)).toBe(false);
    }
  });

  it('group helpers', () => {
    expect(RATER_GROUPS.filter((g) => isAnonymousGroup(g))).toEqual(ANONYMOUS_GROUPS);
    expect(isAnonymousGroup('others')).toBe(true);
    expect(isRaterGroup('peer')).toBe(true);
    expect(isRaterGroup('others')).toBe(false);
    expect(isRaterGroup(3)).toBe(false);
  });
});

describe('foldGroups: exhaustively over small groups', () => {
  // every combination of (responded, answered) ∈ {0..4}², answered ≤ responded, for the three
  // anonymous groups, with self/manager present or not, thresholds 1..4
  const tallies: GroupTally[] = [];
  for (let r = 0; r <= 4; r++) for (let a = 0; a <= r; a++) tallies.push(t(r, a));

  it('no group is ever shown, alone or folded, with fewer than the threshold of answering raters', () => {
    let cases = 0;
    const violations: string[] = [];
    const check = (ok: boolean, what: string) => {
      if (!ok) violations.push(what);
    };
    for (const minRaters of [1, 2, 3, 4]) {
      for (const peer of tallies)
        for (const dr of tallies)
          for (const cu of tallies)
            for (const self of [t(0), t(1), t(1, 0)]) {
              const input: Partial<Record<RaterGroup, GroupTally>> = { self, manager: t(1), peer, direct_report: dr, customer: cu };
              const plan = foldGroups(input, minRaters);
              const ctx = `${JSON.stringify(input)} n=${minRaters}`;
              cases++;
              for (const g of ANONYMOUS_GROUPS) {
                const d = plan.groups[g];
                const x = input[g]!;
                if (x.responded === 0) check(d.status === 'no_responses' && d.shownAs === null, `${ctx}: ${g} without responses`);
                else if (d.status === 'shown') check(x.answered >= minRaters && d.shownAs === g, `${ctx}: ${g} shown below the threshold`);
                else {
                  check(x.answered < minRaters, `${ctx}: ${g} folded at the threshold`);
                  check(!!plan.others?.members.includes(g), `${ctx}: ${g} not in others`);
                  check(d.status === (plan.others?.shown ? 'folded' : 'hidden'), `${ctx}: ${g} status ${d.status}`);
                  check(d.shownAs === (plan.others?.shown ? 'others' : null), `${ctx}: ${g} shown as ${d.shownAs}`);
                }
              }
              if (plan.others) {
                const sum = plan.others.members.reduce((acc, g) => acc + input[g]!.answered, 0);
                check(plan.others.answered === sum, `${ctx}: others count`);
                check(plan.others.shown === sum >= minRaters, `${ctx}: others shown`);
              }
              check(plan.groups.self.status === (self.responded ? 'shown' : 'no_responses'), `${ctx}: self`);
              check(plan.groups.manager.status === 'shown', `${ctx}: manager`);
            }
    }
    expect(violations).toEqual([]);
    expect(cases).toBe(4 * 15 ** 3 * 3);
  });

  it('is a function of the counts only (fast-check)', () => {
    const tally = fc.tuple(fc.nat(50), fc.nat(50)).map(([a, b]) => t(Math.max(a, b), Math.min(a, b)));
    fc.assert(
      fc.property(fc.record({ peer: tally, direct_report: tally, customer: tally }), fc.integer({ min: 1, max: 20 }), (input, n) => {
        const a = foldGroups(input, n);
        const b = foldGroups({ customer: input.customer, peer: input.peer, direct_report: input.direct_report }, n);
        expect(a).toEqual(b);
        const shownAnonymous = ANONYMOUS_GROUPS.filter((g) => a.groups[g].status === 'shown');
        for (const g of shownAnonymous) expect(input[g as 'peer'].answered).toBeGreaterThanOrEqual(n);
      }),
    );
  });
});

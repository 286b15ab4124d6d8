import fc from 'fast-check';
import {
  digamma,
  digammaDiff,
  hyp2f1,
  hyp2f1Series,
  logBeta,
  logGamma,
  logGammaRatio,
  tanhSinhUnit,
  zetaMinusOne,
} from '../../src/predictive/domain/special-functions';

const rel = (v: number, e: number): number => Math.abs(v - e) / Math.abs(e);

function factorial(n: number): number {
  let f = 1;
  for (let i = 2; i <= n; i++) f *= i;
  return f;
}

/** Arithmetic-geometric mean: K(m) = π / (2 AGM(1, √(1 − m))) (DLMF 19.8.5). */
function agm(a: number, b: number): number {
  for (let i = 0; i < 60 && a !== b; i++) {
    const m = (a + b) / 2;
    b = Math.sqrt(a * b);
    a = m;
  }
  return a;
}

describe('logGamma', () => {
  it('matches ln((n−1)!) for integers and ln Γ of half-integers', () => {
    for (let n = 1; n <= 25; n++) {
      const e = Math.log(factorial(n - 1));
      if (e === 0) expect(logGamma(n)).toBe(0);
      else expect(rel(logGamma(n), e)).toBeLessThan(2e-15);
    }
    // Γ(n + ½) = (2n)! √π / (4^n n!)
    for (let n = 0; n <= 15; n++) {
      const e = Math.log((factorial(2 * n) * Math.sqrt(Math.PI)) / (Math.pow(4, n) * factorial(n)));
      expect(rel(logGamma(n + 0.5), e)).toBeLessThan(3e-15);
    }
  });

  it('is relatively accurate next to its zeros at 1 and 2', () => {
    // ln Γ(1 + ε) ≈ −γ ε + ζ(2) ε²/2 and ln Γ(2 + ε) ≈ (1 − γ) ε + (ζ(2) − 1) ε²/2
    const g = 0.5772156649015329;
    const z2 = (Math.PI * Math.PI) / 6;
    for (const step of [1e-12, -1e-12, 1e-9, -3e-8]) {
      const one = 1 + step;
      const two = 2 + step;
      const e1 = one - 1; // exact (Sterbenz): the ε actually represented
      const e2 = two - 2;
      expect(rel(logGamma(one), -g * e1 + (z2 * e1 * e1) / 2)).toBeLessThan(1e-6 * Math.abs(e1) + 1e-15);
      expect(rel(logGamma(two), (1 - g) * e2 + ((z2 - 1) * e2 * e2) / 2)).toBeLessThan(1e-6 * Math.abs(e2) + 1e-15);
    }
  });

  it('satisfies the recurrence and Legendre duplication across all its regions', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-6, max: 1e6, noNaN: true }), (x) => {
        // ln Γ(x + 1) = ln Γ(x) + ln x
        const lhs = logGamma(x + 1);
        const rhs = logGamma(x) + Math.log(x);
        expect(Math.abs(lhs - rhs)).toBeLessThan(1e-13 * Math.max(1, Math.abs(lhs)));
        // ln Γ(2x) = ln Γ(x) + ln Γ(x + ½) + (2x − 1) ln 2 − ½ ln π
        const dup = logGamma(x) + logGamma(x + 0.5) + (2 * x - 1) * Math.LN2 - 0.5 * Math.log(Math.PI);
        expect(Math.abs(logGamma(2 * x) - dup)).toBeLessThan(1e-13 * Math.max(1, Math.abs(dup)));
      }),
      { seed: 42, numRuns: 500 },
    );
  });

  it('handles the edges of its domain', () => {
    expect(logGamma(0)).toBe(Infinity);
    expect(logGamma(Infinity)).toBe(Infinity);
    expect(logGamma(-1)).toBeNaN();
    expect(logGamma(Number.NaN)).toBeNaN();
    expect(rel(logGamma(1e-300), -Math.log(1e-300))).toBeLessThan(1e-15);
  });

  it('computes ζ(k) − 1 for the series about 1 and 2', () => {
    expect(rel(zetaMinusOne(2), (Math.PI * Math.PI) / 6 - 1)).toBeLessThan(1e-15);
    expect(rel(zetaMinusOne(4), Math.pow(Math.PI, 4) / 90 - 1)).toBeLessThan(5e-15);
    expect(rel(zetaMinusOne(6), Math.pow(Math.PI, 6) / 945 - 1)).toBeLessThan(5e-14);
    expect(rel(zetaMinusOne(40), Math.pow(2, -40) + Math.pow(3, -40))).toBeLessThan(1e-12);
    expect(() => zetaMinusOne(1)).toThrow(RangeError);
  });
});

describe('logBeta, logGammaRatio, digamma', () => {
  it('logBeta matches Beta functions with closed forms', () => {
    expect(Math.abs(logBeta(1, 1))).toBeLessThan(1e-15);
    expect(rel(logBeta(0.5, 0.5), Math.log(Math.PI))).toBeLessThan(1e-15);
    expect(rel(logBeta(3, 4), Math.log(1 / 60))).toBeLessThan(1e-15);
    // B(1, b) = 1/b, also for huge b; B(a, b) for huge a, b against ln Γ (no cancellation issue)
    expect(rel(logBeta(1, 1e12), -Math.log(1e12))).toBeLessThan(1e-14);
    const a = 2.5e9;
    const b = 1.5e9;
    // Stirling: ln B(a, b) ≈ ½ ln(2π) + (a−½) ln a + (b−½) ln b − (a+b−½) ln(a+b), done in long form
    const approx = 0.5 * Math.log(2 * Math.PI) - 0.5 * Math.log(b) - (a - 0.5) * Math.log1p(b / a) - b * Math.log1p(a / b);
    expect(rel(logBeta(a, b), approx)).toBeLessThan(1e-14);
  });

  it('logGammaRatio is ln of the rising factorial without cancellation for large arguments', () => {
    for (const y of [0.3, 5, 12.5, 13, 40, 1e6, 1e12]) {
      for (const d of [1, 2, 7, 30]) {
        let e = 0;
        for (let j = 0; j < d; j++) e += Math.log(y + j);
        expect(rel(logGammaRatio(y, d), e)).toBeLessThan(5e-15);
      }
    }
    expect(logGammaRatio(3, 0)).toBe(0);
  });

  it('digamma matches closed forms and the derivative of logGamma', () => {
    const g = 0.5772156649015329;
    expect(Math.abs(digamma(1) + g)).toBeLessThan(1e-15);
    expect(Math.abs(digamma(0.5) - (-g - 2 * Math.LN2))).toBeLessThan(2e-15);
    expect(Math.abs(digamma(10) - (-g + [1, 2, 3, 4, 5, 6, 7, 8, 9].reduce((s, k) => s + 1 / k, 0)))).toBeLessThan(2e-15);
    for (const x of [0.05, 0.243, 1.7, 4.4, 30, 1234.5]) {
      const h = 1e-5 * x;
      const fd = (logGamma(x + h) - logGamma(x - h)) / (2 * h);
      expect(Math.abs(digamma(x) - fd)).toBeLessThan(1e-7 * Math.max(1, Math.abs(fd)));
    }
  });

  it('digammaDiff equals Σ 1/(y + j) for integer steps, also for huge y', () => {
    for (const y of [0.2, 9.5, 10, 1e4, 1e9, 1e15]) {
      for (const d of [1, 3, 25]) {
        let e = 0;
        for (let j = d - 1; j >= 0; j--) e += 1 / (y + j);
        expect(rel(digammaDiff(y, d), e)).toBeLessThan(1e-13);
      }
    }
  });
});

describe('hyp2f1', () => {
  it('2F1(1, 1; 2; z) = −ln(1 − z)/z up to z = 1 − 1e-12', () => {
    for (const z of [1e-8, 0.1, 0.5, 0.9, 0.95, 0.99, 0.999, 0.999999, 1 - 1e-12]) {
      expect(rel(hyp2f1(1, 1, 2, z), -Math.log1p(-z) / z)).toBeLessThan(1e-13);
    }
  });

  it('2F1(a, b; b; z) = (1 − z)^−a (terminating after Euler’s transformation)', () => {
    for (const [a, b] of [
      [2.3, 1.7],
      [0.243, 2.426],
      [7, 0.5],
    ]) {
      for (const z of [0.3, 0.9, 0.99, 0.99999]) {
        expect(rel(hyp2f1(a, b, b, z), Math.pow(1 - z, -a))).toBeLessThan(1e-13);
      }
    }
  });

  it('2F1(½, ½; 1; m) = 2K(m)/π (complete elliptic integral via the AGM) up to m = 0.999999', () => {
    for (const m of [0.1, 0.5, 0.9, 0.99, 0.9999, 0.999999]) {
      expect(rel(hyp2f1(0.5, 0.5, 1, m), 1 / agm(1, Math.sqrt(1 - m)))).toBeLessThan(1e-13);
    }
    // A&S Table 17.1 / DLMF: K(m = ½) = 1.85407 46773 01371 9…
    expect(rel((Math.PI / 2) * hyp2f1(0.5, 0.5, 1, 0.5), 1.8540746773013719)).toBeLessThan(1e-15);
  });

  it('matches the elementary closed forms of A&S 15.1 (series and integral paths)', () => {
    for (const x of [0.2, 0.7, 0.95, 0.995]) {
      const z = x * x;
      // 15.1.4: 2F1(½, 1; 3/2; z²) = artanh(z)/z
      expect(rel(hyp2f1(0.5, 1, 1.5, z), Math.atanh(x) / x)).toBeLessThan(1e-13);
      // 15.1.9: 2F1(a, ½ + a; ½; z²) = ((1 + z)^−2a + (1 − z)^−2a)/2 (c < a, b: the long series)
      const a = 0.7;
      expect(rel(hyp2f1(a, 0.5 + a, 0.5, z), (Math.pow(1 + x, -2 * a) + Math.pow(1 - x, -2 * a)) / 2)).toBeLessThan(1e-12);
    }
    // 15.1.15: 2F1(a, 1 − a; 3/2; sin² θ) = sin((2a − 1)θ) / ((2a − 1) sin θ)
    for (const th of [0.3, 1.2, 1.5]) {
      const a = 0.3;
      const e = Math.sin((2 * a - 1) * th) / ((2 * a - 1) * Math.sin(th));
      expect(rel(hyp2f1(a, 1 - a, 1.5, Math.sin(th) ** 2), e)).toBeLessThan(1e-13);
    }
  });

  it('approaches Gauss’s value Γ(c)Γ(c−a−b)/(Γ(c−a)Γ(c−b)) as z → 1 when c − a − b > 0', () => {
    const [a, b, c] = [0.3, 0.4, 2.5];
    const gauss = Math.exp(logGamma(c) + logGamma(c - a - b) - logGamma(c - a) - logGamma(c - b));
    // F(z) − F(1) = O(1 − z) here (c − a − b = 1.8 > 1)
    expect(rel(hyp2f1(a, b, c, 1 - 1e-12), gauss)).toBeLessThan(1e-11);
  });

  it('agrees between the series and the Euler integral on the model’s arguments near z = 0.99', () => {
    // BG/NBD: 2F1(r + x, b + x; a + b + x − 1; z) with the CDNOW estimates, a > 1 variants
    for (const [a, b, c] of [
      [0.243 + 2, 2.426 + 2, 1.793 + 2.426 + 2 - 1],
      [0.5, 3, 4.2],
      [5.5, 1.2, 8],
    ]) {
      for (const z of [0.9, 0.95, 0.99]) {
        const series = hyp2f1Series(a, b, c, z);
        expect(series.converged).toBe(true);
        expect(rel(hyp2f1(a, b, c, z), series.value)).toBeLessThan(1e-12);
      }
    }
  });

  it('sums terminating series exactly', () => {
    // 2F1(−2, b; c; z) = 1 − 2bz/c + b(b+1)z²/(c(c+1))
    const [b, c, z] = [1.5, 2.5, 0.97];
    expect(rel(hyp2f1(-2, b, c, z), 1 - (2 * b * z) / c + (b * (b + 1) * z * z) / (c * (c + 1)))).toBeLessThan(4e-15);
    expect(hyp2f1(1.3, 2.7, 3.1, 0)).toBe(1);
  });

  it('throws a clear RangeError outside the supported domain', () => {
    expect(() => hyp2f1(1, 1, 2, 1)).toThrow(/0 ≤ z < 1/);
    expect(() => hyp2f1(1, 1, 2, -0.5)).toThrow(/0 ≤ z < 1/);
    expect(() => hyp2f1(1, 1, -2, 0.5)).toThrow(/non-positive integer/);
    expect(() => hyp2f1(Number.NaN, 1, 2, 0.5)).toThrow(/finite/);
    // c < a, b and z within 1e-9 of 1: no integral representation, and the series would need ~4e10 terms
    expect(() => hyp2f1(2, 2, 0.5, 1 - 1e-9)).toThrow(/cannot converge/);
  });
});

describe('tanhSinhUnit', () => {
  it('integrates endpoint singularities: ∫ s^(a−1)(1−s)^(b−1) ds = B(a, b)', () => {
    for (const [a, b] of [
      [0.1, 0.2],
      [0.5, 0.5],
      [3, 40],
    ]) {
      const res = tanhSinhUnit((_s, _o, ls, lo) => (a - 1) * ls + (b - 1) * lo, { tMax: 6.5 });
      expect(res.converged).toBe(true);
      expect(rel(res.value, Math.exp(logBeta(a, b)))).toBeLessThan(1e-12);
    }
  });
});

/**
 * Seeded simulation of the BG/NBD and Gamma-Gamma data-generating processes, for the
 * predictive-model tests and bench/clv-model.bench.ts. Not a test file itself.
 */

/** xoshiro128** seeded by splitmix32; next() is uniform on [0, 1) with 53 random bits. */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal: number | null = null;

  constructor(seed: number) {
    let x = seed >>> 0;
    const split = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = split();
    this.s1 = split();
    this.s2 = split();
    this.s3 = split();
  }

  private nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  next(): number {
    const hi = this.nextU32() >>> 5; // 27 bits
    const lo = this.nextU32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform on (0, 1]. */
  nextOpen(): number {
    return 1 - this.next();
  }

  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    for (;;) {
      const u = 2 * this.next() - 1;
      const v = 2 * this.next() - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) {
        const f = Math.sqrt((-2 * Math.log(s)) / s);
        this.spareNormal = v * f;
        return u * f;
      }
    }
  }

  exponential(rate: number): number {
    return -Math.log(this.nextOpen()) / rate;
  }

  /** Gamma(shape, rate) by Marsaglia & Tsang (shape < 1 boosted by U^(1/shape)). */
  gamma(shape: number, rate: number): number {
    if (shape < 1) {
      const g = this.gamma(shape + 1, 1);
      return (g * Math.pow(this.nextOpen(), 1 / shape)) / rate;
    }
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.nextOpen();
      if (u < 1 - 0.0331 * x * x * x * x) return (d * v) / rate;
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return (d * v) / rate;
    }
  }

  beta(a: number, b: number): number {
    const x = this.gamma(a, 1);
    const y = this.gamma(b, 1);
    return x / (x + y);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

export interface SimulatedCustomers {
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  /** Mean spend of the repeat transactions (0 when x = 0). */
  mx: Float64Array;
}

export interface SimulationOptions {
  bgnbd: { r: number; alpha: number; a: number; b: number };
  gg?: { p: number; q: number; gamma: number };
  /** Customer i's age T (weeks) at the calibration end. */
  ageOf: (i: number, rng: Rng) => number;
  /** Round purchase times down to whole days (same-day purchases merge), like real data. */
  wholeDays?: boolean;
}

/**
 * n customers from the BG/NBD process (λ ~ Gamma(r, α), p ~ Beta(a, b); Poisson purchases
 * while alive; after each repeat purchase the customer drops out with probability p) over
 * (0, T], first purchase at 0; repeat spends from Gamma-Gamma (ν ~ Gamma(q, γ), each spend
 * ~ Gamma(p, ν)).
 */
export function simulateCustomers(n: number, seed: number, opts: SimulationOptions): SimulatedCustomers {
  const rng = new Rng(seed);
  const { r, alpha, a, b } = opts.bgnbd;
  const out = { x: new Float64Array(n), tx: new Float64Array(n), T: new Float64Array(n), mx: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    const T = opts.ageOf(i, rng);
    const lambda = rng.gamma(r, alpha);
    const p = rng.beta(a, b);
    let t = 0;
    let x = 0;
    let tx = 0;
    let lastDay = 0;
    for (;;) {
      t += rng.exponential(lambda);
      if (t > T) break;
      if (opts.wholeDays) {
        const day = Math.floor(t * 7);
        if (day / 7 > T) break;
        if (day === lastDay) {
          // same day as the previous purchase: one purchase day; the dropout chance still applies
          if (rng.next() < p) break;
          continue;
        }
        lastDay = day;
        x++;
        tx = day / 7;
      } else {
        x++;
        tx = t;
      }
      if (rng.next() < p) break;
    }
    out.x[i] = x;
    out.tx[i] = tx;
    out.T[i] = T;
    if (opts.gg && x > 0) {
      const nu = rng.gamma(opts.gg.q, opts.gg.gamma);
      out.mx[i] = rng.gamma(opts.gg.p * x, nu) / x;
    }
  }
  return out;
}

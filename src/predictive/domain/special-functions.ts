/**
 * Special functions for the predictive customer-value models (shared/spec/kpi-definitions.md,
 * "Predictive customer value"): log-gamma, log-beta, digamma, the Gauss hypergeometric
 * function 2F1 on 0 ≤ z < 1, and a tanh-sinh quadrature over (0, 1) that the models use where
 * a series would converge too slowly.
 *
 * Pure code: no Nest, ORM or I/O imports. Every function is deterministic.
 */

const LN_SQRT_2PI = 0.9189385332046727417803297; // ln √(2π)
const EULER_GAMMA = 0.5772156649015328606065121;

// ---------------------------------------------------------------------------------------
// ζ(k) − 1 for k = 2 … ZETA_TERMS, computed once at load by direct summation plus an
// Euler–Maclaurin tail (error far below one ulp). Used by the Taylor series of ln Γ about 1
// and 2, which keeps ln Γ relatively accurate near its zeros at x = 1 and x = 2.
// ---------------------------------------------------------------------------------------

const ZETA_TERMS = 60;
const ZETA_MINUS_ONE: Float64Array = (() => {
  const out = new Float64Array(ZETA_TERMS + 1);
  const N = 40;
  for (let k = 2; k <= ZETA_TERMS; k++) {
    // Σ_{n=N-1}^{2} n^-k (small terms first), then the tail Σ_{n≥N} n^-k by Euler–Maclaurin:
    // ∫_N^∞ x^-k dx + N^-k/2 + Σ_j B_2j/(2j)! · (k)_(2j-1) N^(-k-2j+1)
    let s = 0;
    for (let n = N - 1; n >= 2; n--) s += Math.pow(n, -k);
    const Nk = Math.pow(N, -k);
    let tail = (N * Nk) / (k - 1) + Nk / 2;
    const b2jOverFact = [1 / 12, -1 / 720, 1 / 30240, -1 / 1209600, 1 / 47900160];
    let rising = k; // (k)(k+1)…(k+2j-2)
    let power = Nk / N; // N^(-k-1)
    for (let j = 0; j < b2jOverFact.length; j++) {
      tail += b2jOverFact[j] * rising * power;
      rising *= (k + 2 * j + 1) * (k + 2 * j + 2);
      power /= N * N;
    }
    out[k] = s + tail;
  }
  return out;
})();

/** ζ(k) − 1 for integer 2 ≤ k ≤ 60 (exported for tests). */
export function zetaMinusOne(k: number): number {
  if (!Number.isInteger(k) || k < 2 || k > ZETA_TERMS) {
    throw new RangeError(`zetaMinusOne: k must be an integer in [2, ${ZETA_TERMS}] (got ${k})`);
  }
  return ZETA_MINUS_ONE[k];
}

/** Σ_{k≥2} (−1)^k (ζ(k) − 1) ε^k / k for |ε| ≤ 1/2 (terms shrink like (ε/2)^k / k). */
function zetaSeries(eps: number): number {
  let sum = 0;
  let power = -eps; // (−ε)^(k−1)
  for (let k = 2; k <= ZETA_TERMS; k++) {
    power *= -eps; // (−ε)^k = (−1)^k ε^k
    const term = (ZETA_MINUS_ONE[k] * power) / k;
    sum += term;
    if (Math.abs(term) <= 1e-17 * Math.abs(sum)) break;
  }
  return sum;
}

// Stirling series coefficients B_2j / (2j (2j − 1)), j = 1 … 8.
const STIRLING = [
  1 / 12,
  -1 / 360,
  1 / 1260,
  -1 / 1680,
  1 / 1188,
  -691 / 360360,
  1 / 156,
  -3617 / 122400,
];

/**
 * ln Γ(x) for x > 0, relative error ~1e-15 everywhere (including near the zeros at 1 and 2).
 *
 * Regions: x < 0.5: ln Γ(1 + x) − ln x; 0.5 ≤ x ≤ 2.5: Taylor series about 1 or 2 in terms of
 * ζ(k) − 1; 2.5 < x < 13: downward recurrence onto (1.5, 2.5]; x ≥ 13: Stirling series.
 * Returns +∞ for x = 0 and x = +∞, NaN for x < 0 or NaN (the models only use x > 0).
 */
export function logGamma(x: number): number {
  if (!(x >= 0)) return Number.NaN;
  if (x === 0 || x === Number.POSITIVE_INFINITY) return Number.POSITIVE_INFINITY;
  if (x < 0.5) {
    // ln Γ(x) = ln Γ(1 + x) − ln x, 1 + x in (1, 1.5)
    return lnGammaOnePlus(x) - Math.log(x);
  }
  if (x <= 1.5) return lnGammaOnePlus(x - 1);
  if (x <= 2.5) return lnGammaTwoPlus(x - 2);
  if (x < 13) {
    // ln Γ(x) = ln[(x − 1)(x − 2)…(x − n)] + ln Γ(x − n), x − n in (1.5, 2.5]
    let prod = 1;
    let y = x;
    while (y > 2.5) {
      y -= 1;
      prod *= y;
    }
    return Math.log(prod) + lnGammaTwoPlus(y - 2);
  }
  return (x - 0.5) * Math.log(x) - x + LN_SQRT_2PI + stirlingCorrection(x);
}

/** ln Γ(1 + ε), |ε| ≤ 1/2: (1 − γ)ε − ln(1 + ε) + Σ (−1)^k (ζ(k) − 1) ε^k / k. */
function lnGammaOnePlus(eps: number): number {
  if (eps === 0) return 0;
  return (1 - EULER_GAMMA) * eps - Math.log1p(eps) + zetaSeries(eps);
}

/** ln Γ(2 + ε), |ε| ≤ 1/2: (1 − γ)ε + Σ (−1)^k (ζ(k) − 1) ε^k / k. */
function lnGammaTwoPlus(eps: number): number {
  if (eps === 0) return 0;
  return (1 - EULER_GAMMA) * eps + zetaSeries(eps);
}

/** The Stirling correction Σ B_2j / (2j (2j−1) y^(2j−1)) (y ≥ 13). */
function stirlingCorrection(y: number): number {
  const inv = 1 / y;
  const inv2 = inv * inv;
  let series = 0;
  for (let j = STIRLING.length - 1; j >= 0; j--) series = series * inv2 + STIRLING[j];
  return series * inv;
}

/** Stirling's formula stays accurate from here on. */
const STIRLING_MIN = 13;

/**
 * ln[Γ(y + d) / Γ(y)] for y > 0, y + d > 0, without the cancellation of two large ln Γ
 * values when y is large: for y, y + d ≥ 13,
 *   (y − ½)·ln(1 + d/y) + d·ln(y + d) − d + S(y + d) − S(y),  S the Stirling correction.
 * (For integer d this is ln of the rising factorial (y)_d.)
 */
export function logGammaRatio(y: number, d: number): number {
  if (d === 0) return 0;
  if (!(y > 0) || !(y + d > 0)) return Number.NaN;
  const yd = y + d;
  if (y >= STIRLING_MIN && yd >= STIRLING_MIN) {
    return (y - 0.5) * Math.log1p(d / y) + d * Math.log(yd) - d + (stirlingCorrection(yd) - stirlingCorrection(y));
  }
  return logGamma(yd) - logGamma(y);
}

/**
 * ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b), a, b > 0, accurate also when a and b are
 * huge (the three ln Γ values would cancel): with both ≥ 13,
 *   ln √(2π) − ½ ln b − (a − ½)·ln(1 + b/a) − b·ln(1 + a/b) + S(a) + S(b) − S(a + b);
 * with one of them small, ln Γ(small) − ln[Γ(large + small)/Γ(large)].
 */
export function logBeta(a: number, b: number): number {
  if (!(a > 0) || !(b > 0)) return Number.NaN;
  if (a < b) {
    const t = a;
    a = b;
    b = t;
  }
  // now a ≥ b
  if (b >= STIRLING_MIN) {
    return (
      LN_SQRT_2PI -
      0.5 * Math.log(b) -
      (a - 0.5) * Math.log1p(b / a) -
      b * Math.log1p(a / b) +
      (stirlingCorrection(a) + stirlingCorrection(b) - stirlingCorrection(a + b))
    );
  }
  if (a >= STIRLING_MIN) return logGamma(b) - logGammaRatio(a, b);
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/**
 * ψ(y + d) − ψ(y) for y > 0, y + d > 0, without cancellation for large y: for y, y + d ≥ 10,
 *   ln(1 + d/y) + d / (2 y (y + d)) − [R(y + d) − R(y)],  R(v) = Σ B_2k / (2k v^2k).
 */
export function digammaDiff(y: number, d: number): number {
  if (d === 0) return 0;
  if (!(y > 0) || !(y + d > 0)) return Number.NaN;
  const yd = y + d;
  if (y >= 10 && yd >= 10) {
    return Math.log1p(d / y) + d / (2 * y * yd) - (digammaTail(yd) - digammaTail(y));
  }
  return digamma(yd) - digamma(y);
}

/** R(v) = Σ B_2k / (2k v^2k), the asymptotic tail of ψ(v) − ln v + 1/(2v) (v ≥ 10). */
function digammaTail(v: number): number {
  const inv2 = 1 / (v * v);
  return (
    inv2 *
    (1 / 12 -
      inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 * (1 / 132 - inv2 * (691 / 32760 - inv2 / 12))))))
  );
}

/** ψ(x) = d ln Γ(x) / dx for x > 0 (absolute error ~1e-15); NaN for x ≤ 0. */
export function digamma(x: number): number {
  if (!(x > 0)) return Number.NaN;
  if (x === Number.POSITIVE_INFINITY) return Number.POSITIVE_INFINITY;
  let acc = 0;
  while (x < 10) {
    acc -= 1 / x;
    x += 1;
  }
  // ln x − 1/(2x) − Σ B_2k / (2k x^2k)
  return acc + Math.log(x) - 0.5 / x - digammaTail(x);
}

// ---------------------------------------------------------------------------------------
// Tanh-sinh (double-exponential) quadrature over (0, 1)
// ---------------------------------------------------------------------------------------

/**
 * Log of a positive integrand on (0, 1). It receives s, 1 − s and their logs, each computed
 * without cancellation, so endpoint singularities s^(μ−1) and near-endpoint behaviour on
 * scales far below 1e-16 are integrated accurately.
 */
export type UnitLogIntegrand = (s: number, oneMinusS: number, lnS: number, lnOneMinusS: number) => number;

export interface TanhSinhResult {
  value: number;
  /** |I_k − I_(k−1)| of the last two levels (the error of I_k is far smaller). */
  errorEstimate: number;
  level: number;
  evaluations: number;
  converged: boolean;
}

/**
 * ∫_0^1 exp(logF(s)) ds by tanh-sinh quadrature, s = (1 + tanh(π/2 · sinh t)) / 2, over
 * |t| ≤ tMax, halving the step until two levels agree to `relTol` (convergence is roughly
 * quadratic in the number of correct digits, so the returned level is much better than that).
 * Weights and integrand are combined in log space, so s(1 − s) may underflow harmlessly.
 */
export function tanhSinhUnit(
  logF: UnitLogIntegrand,
  opts: { tMax?: number; relTol?: number; minLevel?: number; maxLevel?: number } = {},
): TanhSinhResult {
  const tMax = opts.tMax ?? 4.5;
  const relTol = opts.relTol ?? 1e-11;
  const minLevel = opts.minLevel ?? 3;
  const maxLevel = opts.maxLevel ?? 10;
  let evaluations = 0;

  const nodePair = (t: number): number => {
    // node at +t and −t; returns the sum of both weighted integrand values (without h)
    const u = (Math.PI / 2) * Math.sinh(t);
    const e = Math.exp(-2 * u);
    const l1pe = Math.log1p(e);
    const lnHi = -l1pe; // ln s at +t (s close to 1)
    const lnLo = -2 * u - l1pe; // ln(1 − s) at +t
    const hi = 1 / (1 + e);
    const lo = e / (1 + e);
    const lnW = Math.log(Math.PI * Math.cosh(t)) + lnHi + lnLo;
    let sum = Math.exp(logF(hi, lo, lnHi, lnLo) + lnW);
    evaluations++;
    if (t !== 0) {
      sum += Math.exp(logF(lo, hi, lnLo, lnHi) + lnW);
      evaluations++;
    }
    return sum;
  };

  let h = 1;
  let sum = 0;
  const jMax0 = Math.floor(tMax);
  for (let j = 0; j <= jMax0; j++) sum += nodePair(j);
  let prev = sum * h;
  let value = prev;
  let errorEstimate = Number.POSITIVE_INFINITY;
  for (let level = 1; level <= maxLevel; level++) {
    h /= 2;
    const jMax = Math.floor(tMax / h);
    for (let j = 1; j <= jMax; j += 2) sum += nodePair(j * h);
    value = sum * h;
    errorEstimate = Math.abs(value - prev);
    if (level >= minLevel && errorEstimate <= relTol * Math.abs(value)) {
      return { value, errorEstimate, level, evaluations, converged: true };
    }
    prev = value;
  }
  return { value, errorEstimate, level: maxLevel, evaluations, converged: false };
}

// ---------------------------------------------------------------------------------------
// Gauss hypergeometric function 2F1(a, b; c; z), 0 ≤ z < 1
// ---------------------------------------------------------------------------------------

const SERIES_EPS = 1e-16;
/** Above this z the Maclaurin series needs > ~350 terms; the Euler integral is used if it applies. */
const SERIES_Z_MAX = 0.9;
const MAX_SERIES_TERMS = 2_000_000;

function isNonPositiveInteger(v: number): boolean {
  return v <= 0 && Number.isInteger(v);
}

export interface SeriesResult {
  value: number;
  terms: number;
  converged: boolean;
}

/**
 * The Maclaurin series Σ (a)_n (b)_n / ((c)_n n!) z^n with a rigorous stopping rule: once
 * a + n, b + n, c + n > 0 the term ratio (a+m)(b+m)/((c+m)(m+1))·z is a product of two
 * Möbius functions of m, each monotone with limit 1, so for every later m it is at most
 * q = z · max((a+n)/(c+n), 1) · max((b+n)/(n+1), 1); with q < 1 the tail after the current
 * term t is at most |t|·q/(1 − q). Summation stops when that bound is ≤ 1e-16 · |sum|.
 */
export function hyp2f1Series(a: number, b: number, c: number, z: number, maxTerms = MAX_SERIES_TERMS): SeriesResult {
  // Terms end up shrinking like z^n: fewer than ln(1e-16)/ln z terms can never do, so give up
  // at once when even that exceeds the budget (unless the series terminates).
  const terminates = isNonPositiveInteger(a) || isNonPositiveInteger(b);
  if (!terminates && z > 0 && Math.log(SERIES_EPS) / Math.log(z) > maxTerms) {
    return { value: Number.NaN, terms: 0, converged: false };
  }
  let term = 1;
  let sum = 1;
  for (let n = 0; n < maxTerms; n++) {
    term *= (((a + n) * (b + n)) / ((c + n) * (n + 1))) * z;
    sum += term;
    if (term === 0) return { value: sum, terms: n + 1, converged: true };
    const m = n + 1;
    if (a + m > 0 && b + m > 0 && c + m > 0) {
      const q = z * Math.max((a + m) / (c + m), 1) * Math.max((b + m) / (m + 1), 1);
      if (q < 1 && (Math.abs(term) * q) / (1 - q) <= SERIES_EPS * Math.abs(sum)) {
        return { value: sum, terms: n + 1, converged: true };
      }
    }
    if (!Number.isFinite(sum)) break;
  }
  return { value: sum, terms: maxTerms, converged: false };
}

/**
 * 2F1(a, b; c; z) for real a, b, c (c not a non-positive integer) and 0 ≤ z < 1.
 *
 * - A terminating series (a, b, c − a or c − b a non-positive integer) is summed exactly,
 *   the last two through Euler's transformation (1 − z)^(c−a−b) 2F1(c − a, c − b; c; z).
 * - z ≤ 0.9: the Maclaurin series with the rigorous tail bound of `hyp2f1Series`.
 * - z > 0.9 with c > 0 and 0 < b < c (or 0 < a < c): Euler's integral
 *   Γ(c)/(Γ(b)Γ(c−b)) ∫_0^1 s^(b−1) (1−s)^(c−b−1) (1 − zs)^(−a) ds by tanh-sinh quadrature;
 *   1 − zs is formed as (1 − z) + z(1 − s), so z arbitrarily close to 1 costs only a few more
 *   nodes (the near-singularity sits where tanh-sinh clusters its nodes).
 * - otherwise: the series (up to 2e6 terms, with the same guarantee).
 *
 * (Pfaff's z → z/(z − 1) does not help here: for z > 1/2 it maps to |w| > 1.)
 * Throws a RangeError outside this domain or when no method converges.
 */
export function hyp2f1(a: number, b: number, c: number, z: number): number {
  if (![a, b, c, z].every(Number.isFinite)) {
    throw new RangeError(`hyp2f1: arguments must be finite (got a=${a}, b=${b}, c=${c}, z=${z})`);
  }
  if (!(z >= 0 && z < 1)) {
    throw new RangeError(`hyp2f1: supported only for 0 ≤ z < 1 (got z=${z})`);
  }
  if (isNonPositiveInteger(c)) {
    throw new RangeError(`hyp2f1: c must not be a non-positive integer (got c=${c})`);
  }
  if (z === 0) return 1;
  if (isNonPositiveInteger(a) || isNonPositiveInteger(b)) {
    return requireConverged(hyp2f1Series(a, b, c, z), a, b, c, z);
  }
  if (isNonPositiveInteger(c - a) || isNonPositiveInteger(c - b)) {
    const poly = requireConverged(hyp2f1Series(c - a, c - b, c, z), a, b, c, z);
    return Math.exp((c - a - b) * Math.log1p(-z)) * poly;
  }
  if (z <= SERIES_Z_MAX) return requireConverged(hyp2f1Series(a, b, c, z), a, b, c, z);

  if (c > 0 && ((b > 0 && b < c) || (a > 0 && a < c))) {
    // Choose the parameter that goes into the integral's exponents; the other one is the
    // power of (1 − zs). Prefer the smaller |power|.
    let B = b;
    let A = a;
    const bOk = b > 0 && b < c;
    const aOk = a > 0 && a < c;
    if (!bOk || (aOk && Math.abs(b) < Math.abs(a))) {
      B = a;
      A = b;
    }
    const result = hyp2f1EulerIntegral(A, B, c, z);
    if (result !== null) return result;
  }
  return requireConverged(hyp2f1Series(a, b, c, z), a, b, c, z);
}

function requireConverged(r: SeriesResult, a: number, b: number, c: number, z: number): number {
  if (!r.converged || !Number.isFinite(r.value)) {
    throw new RangeError(
      `hyp2f1(${a}, ${b}; ${c}; ${z}): the series cannot converge within ${MAX_SERIES_TERMS} terms ` +
        `(z too close to 1 for these parameters, which have no Euler integral: need c > 0 and 0 < a < c or 0 < b < c)`,
    );
  }
  return r.value;
}

/** Euler's integral for 2F1(A, B; c; z) with 0 < B < c; null when the quadrature fails. */
function hyp2f1EulerIntegral(A: number, B: number, c: number, z: number): number | null {
  const oneMinusZ = 1 - z; // exact for z ≥ 1/2 (Sterbenz)
  const lnNorm = -logBeta(B, c - B);
  const mu = Math.min(B, c - B, 1);
  // Integrand near s = 1 is about (1 − s)^(c−B−1) (1 − z)^(−A) until 1 − s ~ 1 − z; take t far
  // enough that the neglected ends are below 1e-17 of the integral's scale.
  const extra = Math.abs(A) * -Math.log(oneMinusZ);
  const tMax = Math.min(12, Math.max(3.5, Math.asinh((40 + extra) / (Math.PI * mu))));
  const res = tanhSinhUnit(
    (s, oms, lnS, lnOms) => (B - 1) * lnS + (c - B - 1) * lnOms - A * Math.log(oneMinusZ + z * oms),
    { tMax, relTol: 1e-10, minLevel: 3, maxLevel: 10 },
  );
  if (!res.converged || !Number.isFinite(res.value)) return null;
  return Math.exp(lnNorm) * res.value;
}

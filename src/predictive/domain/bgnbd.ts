/**
 * The BG/NBD model of Fader, Hardie & Lee, "Counting Your Customers the Easy Way" (Marketing
 * Science, 2005), as shared/spec/kpi-definitions.md ("Predictive customer value" and the fine
 * print "Predictive models") defines it: the likelihood (paper equation 6), its maximum-
 * likelihood fit over log-parameters, P(alive) and the conditional expectation (equation 10).
 *
 * Data are weighted distinct rows (x, t_x, T, count) held in Float64Arrays, because a fit over
 * up to 1,000,000 customers collapses to far fewer distinct rows; everything that depends on
 * x alone, on T alone or on t_x alone is computed once per distinct value per evaluation.
 * Time unit: weeks.
 *
 * Pure code: no Nest, ORM or I/O imports.
 */
import { fitPositiveParameters, type MinimizeOptions } from './optimizer';
import { digammaDiff, logBeta, logGammaRatio, tanhSinhUnit } from './special-functions';

export interface BgnbdParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

/** Distinct customer rows in columns: x repeat purchases, t_x recency, T age (weeks), count. */
export interface BgnbdRows {
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  /** Number of customers sharing the row (weights); all 1 when omitted. */
  count?: Float64Array;
}

/** One row as a plain object (count defaults to 1). */
export interface BgnbdRow {
  x: number;
  tx: number;
  T: number;
  count?: number;
}

export type BgnbdInput = BgnbdRows | readonly BgnbdRow[];

export interface BgnbdFit extends BgnbdParams {
  logLikelihood: number;
  converged: boolean;
  iterations: number;
  evaluations: number;
  /** ‖∂(mean LL)/∂ ln θ‖∞ at the answer. */
  gradientNorm: number;
  message: string;
  /**
   * Parameters whose estimate lies (numerically) on the boundary of (0, ∞), e.g. ['r', 'alpha']
   * when r → 0 with α → ∞; empty for an interior maximum.
   */
  boundary: Array<keyof BgnbdParams>;
  /** Asymptotic standard errors (delta method from the observed information); null on the boundary. */
  standardErrors: BgnbdParams | null;
  /** Number of distinct rows and total weight (customers) fitted. */
  rows: number;
  customers: number;
}

export interface BgnbdFitOptions extends MinimizeOptions {
  /** Starting values (default: r = 1, α = 1 / mean repeat rate, a = 1, b = 3). */
  start?: BgnbdParams;
}

// ---------------------------------------------------------------------------------------
// Data preparation
// ---------------------------------------------------------------------------------------

/** Rows with lookup tables of their distinct x, T and t_x values; build once, evaluate often. */
export interface PreparedBgnbdData {
  readonly n: number;
  readonly totalWeight: number;
  readonly weight: Float64Array;
  readonly xIndex: Int32Array;
  readonly xValues: Float64Array;
  /** Σ weight per distinct x. */
  readonly xWeight: Float64Array;
  readonly TIndex: Int32Array;
  readonly TValues: Float64Array;
  readonly txIndex: Int32Array;
  readonly txValues: Float64Array;
}

function toColumns(input: BgnbdInput): BgnbdRows {
  if (Array.isArray(input)) {
    const rows = input as readonly BgnbdRow[];
    const n = rows.length;
    const out = { x: new Float64Array(n), tx: new Float64Array(n), T: new Float64Array(n), count: new Float64Array(n) };
    for (let i = 0; i < n; i++) {
      out.x[i] = rows[i].x;
      out.tx[i] = rows[i].tx;
      out.T[i] = rows[i].T;
      out.count[i] = rows[i].count ?? 1;
    }
    return out;
  }
  return input as BgnbdRows;
}

function indexValues(values: Float64Array): { index: Int32Array; distinct: Float64Array } {
  const map = new Map<number, number>();
  const index = new Int32Array(values.length);
  const distinct: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    let k = map.get(v);
    if (k === undefined) {
      k = distinct.length;
      map.set(v, k);
      distinct.push(v);
    }
    index[i] = k;
  }
  return { index, distinct: Float64Array.from(distinct) };
}

/**
 * Validates rows (x a non-negative integer, 0 ≤ t_x ≤ T, t_x = 0 when x = 0, count ≥ 0) and
 * builds the lookup tables. Throws a RangeError naming the first bad row.
 */
export function prepareBgnbdData(input: BgnbdInput | PreparedBgnbdData): PreparedBgnbdData {
  if ((input as PreparedBgnbdData).xIndex !== undefined) return input as PreparedBgnbdData;
  const rows = toColumns(input as BgnbdInput);
  const n = rows.x.length;
  if (rows.tx.length !== n || rows.T.length !== n || (rows.count && rows.count.length !== n)) {
    throw new RangeError('BG/NBD rows: x, tx, T and count must have the same length');
  }
  const weight = rows.count ? rows.count : new Float64Array(n).fill(1);
  let totalWeight = 0;
  for (let i = 0; i < n; i++) {
    const x = rows.x[i];
    const tx = rows.tx[i];
    const T = rows.T[i];
    const w = weight[i];
    if (!(Number.isInteger(x) && x >= 0)) throw new RangeError(`BG/NBD row ${i}: x must be a non-negative integer (got ${x})`);
    if (!(Number.isFinite(T) && T >= 0)) throw new RangeError(`BG/NBD row ${i}: T must be finite and ≥ 0 (got ${T})`);
    if (!(tx >= 0 && tx <= T)) throw new RangeError(`BG/NBD row ${i}: t_x must satisfy 0 ≤ t_x ≤ T (got t_x=${tx}, T=${T})`);
    if (x === 0 && tx !== 0) throw new RangeError(`BG/NBD row ${i}: t_x must be 0 when x = 0 (got ${tx})`);
    if (!(Number.isFinite(w) && w >= 0)) throw new RangeError(`BG/NBD row ${i}: count must be finite and ≥ 0 (got ${w})`);
    totalWeight += w;
  }
  const xs = indexValues(rows.x);
  const Ts = indexValues(rows.T);
  const txs = indexValues(rows.tx);
  const xWeight = new Float64Array(xs.distinct.length);
  for (let i = 0; i < n; i++) xWeight[xs.index[i]] += weight[i];
  return {
    n,
    totalWeight,
    weight,
    xIndex: xs.index,
    xValues: xs.distinct,
    xWeight,
    TIndex: Ts.index,
    TValues: Ts.distinct,
    txIndex: txs.index,
    txValues: txs.distinct,
  };
}

// ---------------------------------------------------------------------------------------
// Likelihood (paper equation 6) and its gradient
// ---------------------------------------------------------------------------------------

export interface BgnbdGradient {
  logLikelihood: number;
  /** ∂LL/∂r, ∂LL/∂α, ∂LL/∂a, ∂LL/∂b (natural parameters). */
  gradient: BgnbdParams;
}

/**
 * Weighted log-likelihood Σ count · ln L(r, α, a, b | x, t_x, T) (paper equation 6):
 *
 *   ln L = ln[Γ(r+x)/Γ(r)] + ln B(a, b+x) − ln B(a, b) + ln(e^u + [x>0]·e^v),
 *   u = r ln α − (r+x) ln(α+T)   = −r·ln(1 + T/α) − x·ln(α+T),
 *   v = r ln α − (r+x) ln(α+t_x) + ln a − ln(b+x−1),
 *
 * the log-sum-exp formed stably, the r ln α terms folded into log1p (no cancellation when r
 * and α run far out together) and the Γ/B ratios taken by logGammaRatio (no cancellation
 * for large arguments). Everything that depends on x, T or t_x alone is computed once per
 * distinct value. Optionally writes [∂/∂r, ∂/∂α, ∂/∂a, ∂/∂b] into `grad`.
 */
function evaluate(params: BgnbdParams, data: PreparedBgnbdData, grad?: Float64Array): number {
  const { r, alpha, a, b } = params;
  if (!(r > 0 && alpha > 0 && a > 0 && b > 0) || ![r, alpha, a, b].every(Number.isFinite)) return Number.NaN;
  const nx = data.xValues.length;
  const nT = data.TValues.length;
  const ntx = data.txValues.length;

  // Per distinct T (and t_x): ln(α+T), ln(1 + T/α), 1/(α+T), T/(α(α+T)).
  const lnT = new Float64Array(nT);
  const l1T = new Float64Array(nT);
  const invT = new Float64Array(nT);
  const dT = new Float64Array(nT);
  for (let k = 0; k < nT; k++) {
    const T = data.TValues[k];
    lnT[k] = Math.log(alpha + T);
    l1T[k] = Math.log1p(T / alpha);
    invT[k] = 1 / (alpha + T);
    dT[k] = T / (alpha * (alpha + T));
  }
  const lntx = new Float64Array(ntx);
  const l1tx = new Float64Array(ntx);
  const invtx = new Float64Array(ntx);
  const dtx = new Float64Array(ntx);
  for (let k = 0; k < ntx; k++) {
    const t = data.txValues[k];
    lntx[k] = Math.log(alpha + t);
    l1tx[k] = Math.log1p(t / alpha);
    invtx[k] = 1 / (alpha + t);
    dtx[k] = t / (alpha * (alpha + t));
  }
  // Per distinct x: ln a − ln(b+x−1) and the x-only part of ln L.
  const c4 = new Float64Array(nx);
  let ll = 0;
  for (let k = 0; k < nx; k++) {
    const x = data.xValues[k];
    if (x > 0) {
      c4[k] = Math.log(a) - Math.log(b + x - 1);
      ll += data.xWeight[k] * (logGammaRatio(r, x) + logGammaRatio(b, x) - logGammaRatio(a + b, x));
    }
  }

  const piByX = grad ? new Float64Array(nx) : null;
  let gR = 0;
  let gAlpha = 0;
  const { weight, xIndex, xValues, TIndex, txIndex } = data;
  // Σ w · ln(e^u + e^v) with Neumaier's compensated summation: the line search needs f to
  // ~1e-14 relative and the terms are many.
  let rowSum = 0;
  let comp = 0;
  for (let i = 0; i < data.n; i++) {
    const w = weight[i];
    const kx = xIndex[i];
    const x = xValues[kx];
    const kT = TIndex[i];
    const u = -r * l1T[kT] - x * lnT[kT];
    let term: number;
    if (x > 0) {
      const kt = txIndex[i];
      const v = c4[kx] - r * l1tx[kt] - x * lntx[kt];
      const d = u - v;
      let s: number;
      let pi: number; // share of the "dropped out after the last purchase" term
      if (d >= 0) {
        const e = Math.exp(-d);
        s = u + Math.log1p(e);
        pi = e / (1 + e);
      } else {
        const e = Math.exp(d);
        s = v + Math.log1p(e);
        pi = 1 / (1 + e);
      }
      term = w * s;
      if (piByX) {
        const q = 1 - pi;
        // ∂u/∂r = −ln(1+T/α); ∂u/∂α = r·T/(α(α+T)) − x/(α+T)
        gR += w * (q * l1T[kT] + pi * l1tx[kt]);
        gAlpha += w * (q * (r * dT[kT] - x * invT[kT]) + pi * (r * dtx[kt] - x * invtx[kt]));
        piByX[kx] += w * pi;
      }
    } else {
      term = w * u;
      if (piByX) {
        gR += w * l1T[kT];
        gAlpha += w * r * dT[kT];
      }
    }
    const tot = rowSum + term;
    comp += Math.abs(rowSum) >= Math.abs(term) ? rowSum - tot + term : term - tot + rowSum;
    rowSum = tot;
  }
  ll += rowSum + comp;

  if (grad && piByX) {
    let dr = -gR;
    let da = 0;
    let db = 0;
    for (let k = 0; k < nx; k++) {
      const x = xValues[k];
      if (x === 0) continue;
      const W = data.xWeight[k];
      const dABX = digammaDiff(a + b, x); // ψ(a+b+x) − ψ(a+b)
      dr += W * digammaDiff(r, x);
      da += piByX[k] / a - W * dABX;
      db += W * (digammaDiff(b, x) - dABX) - piByX[k] / (b + x - 1);
    }
    grad[0] = dr;
    grad[1] = gAlpha;
    grad[2] = da;
    grad[3] = db;
  }
  return ll;
}

/** Weighted BG/NBD log-likelihood (paper equation 6) of the rows. */
export function bgnbdLogLikelihood(params: BgnbdParams, rows: BgnbdInput | PreparedBgnbdData): number {
  return evaluate(params, prepareBgnbdData(rows));
}

/** Log-likelihood and its analytic gradient with respect to r, α, a, b. */
export function bgnbdLogLikelihoodGradient(params: BgnbdParams, rows: BgnbdInput | PreparedBgnbdData): BgnbdGradient {
  const g = new Float64Array(4);
  const logLikelihood = evaluate(params, prepareBgnbdData(rows), g);
  return { logLikelihood, gradient: { r: g[0], alpha: g[1], a: g[2], b: g[3] } };
}

// ---------------------------------------------------------------------------------------
// Fit
// ---------------------------------------------------------------------------------------

const PARAM_NAMES: readonly (keyof BgnbdParams)[] = ['r', 'alpha', 'a', 'b'];

function defaultStart(data: PreparedBgnbdData): BgnbdParams {
  let sx = 0;
  let sT = 0;
  for (let i = 0; i < data.n; i++) {
    sx += data.weight[i] * data.xValues[data.xIndex[i]];
    sT += data.weight[i] * data.TValues[data.TIndex[i]];
  }
  const rate = sx > 0 && sT > 0 ? sx / sT : 0;
  const alpha = rate > 0 ? Math.min(1e4, Math.max(1e-2, 1 / rate)) : Math.max(1, sT / Math.max(data.totalWeight, 1));
  return { r: 1, alpha, a: 1, b: 3 };
}

/**
 * Maximum-likelihood fit over θ = ln(r, α, a, b) with BFGS on the analytic gradient of the
 * mean log-likelihood (Nelder–Mead fallback). `converged` is false when the optimiser did not
 * certify a stationary point, or when the maximum lies on the boundary: a parameter ran out
 * towards 0 or ∞, or the likelihood is flat along some direction (see
 * assessMaximumLikelihood); `boundary` names the parameters. Predictions from such a fit stay
 * finite and, where the data determine them, right.
 */
export function fitBgnbd(rows: BgnbdInput | PreparedBgnbdData, opts: BgnbdFitOptions = {}): BgnbdFit {
  const data = prepareBgnbdData(rows);
  const W = data.totalWeight;
  if (!(W > 0)) throw new RangeError('fitBgnbd: no customers (total count is 0)');
  const start = opts.start ?? defaultStart(data);
  const fit = fitPositiveParameters(PARAM_NAMES, start, (p, grad) => evaluate(p, data, grad), W, opts);
  const { params, ...rest } = fit;
  return {
    ...params,
    ...rest,
    rows: data.n,
    customers: W,
  };
}

// ---------------------------------------------------------------------------------------
// Predictions
// ---------------------------------------------------------------------------------------

/**
 * ln of the P(alive) odds term: [x > 0] · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x); −∞ for x = 0.
 */
function logDeadOdds(params: BgnbdParams, x: number, tx: number, T: number): number {
  if (x <= 0) return Number.NEGATIVE_INFINITY;
  const { r, alpha, a, b } = params;
  return Math.log(a) - Math.log(b + x - 1) + (r + x) * Math.log1p((T - tx) / (alpha + tx));
}

/**
 * P(alive | x, t_x, T) = 1 / (1 + [x > 0] · a/(b + x − 1) · ((α + T)/(α + t_x))^(r + x)),
 * evaluated in log space (1 for x = 0).
 */
export function pAlive(params: BgnbdParams, x: number, tx: number, T: number): number {
  const l = logDeadOdds(params, x, tx, T);
  if (l === Number.NEGATIVE_INFINITY) return 1;
  return l > 0 ? Math.exp(-l) / (1 + Math.exp(-l)) : 1 / (1 + Math.exp(l));
}

/** P(alive) for every row. */
export function pAliveBatch(params: BgnbdParams, rows: BgnbdInput): Float64Array {
  const c = toColumns(rows);
  const out = new Float64Array(c.x.length);
  for (let i = 0; i < out.length; i++) out[i] = pAlive(params, c.x[i], c.tx[i], c.T[i]);
  return out;
}

/** Constants of E[Y(t) | alive] for one customer (everything but t). */
export interface AliveExpectationConstants {
  /** A = r + x (shape of the λ posterior). */
  A: number;
  /** a (first Beta parameter of the p posterior) and β = b + x (second). */
  a: number;
  beta: number;
  /** α + T (rate of the λ posterior). */
  alphaT: number;
  /** A' = a + b − 1 − r, δ = a − 1, c = a + b + x − 1 (series parameters). */
  Aprime: number;
  delta: number;
  c: number;
  /** ln B(a, b + x), computed on first use (only the quadrature needs it). */
  lnBeta?: number;
}

export function aliveExpectationConstants(params: BgnbdParams, x: number, T: number): AliveExpectationConstants {
  const { r, alpha, a, b } = params;
  return {
    A: r + x,
    a,
    beta: b + x,
    alphaT: alpha + T,
    Aprime: a + b - 1 - r,
    delta: a - 1,
    c: a + b + x - 1,
  };
}

/** Above this z = t/(α+T+t) the series would need > ~1800 terms: use the quadrature. */
const SERIES_Z_MAX = 0.98;
/** Largest acceptable cancellation (Σ|parts| / result) in the series form. */
const MAX_CANCELLATION = 1e4;
/** Series terms to try before giving up on it. */
const MAX_SERIES_TERMS = 5000;

/**
 * E[Y(t) | x, t_x, T, alive at T]: the expected purchases in the next t weeks of a customer
 * known to be alive. Equal to the paper's equation 10 times (1 + [x>0]·a/(b+x−1)·…), i.e.
 *
 *   (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) · 2F1(r+x, b+x; a+b+x−1; z)],  z = t/(α+T+t),
 *
 * computed in a form without its removable singularity at a = 1 and its pole at a+b+x = 1.
 * Euler's transformation turns (1−z)^(r+x)·2F1(r+x, b+x; c; z) into
 * (1−z)^(a−1)·2F1(A', a−1; c; z), A' = a+b−1−r, and writing 2F1(A', δ; c; z) = 1 + δ·G gives
 *
 *   E = c·(1 − (1−z)^δ)/δ − (1−z)^δ · H,   H = c·G = Σ_{n≥1} (A')_n (a)_(n−1) / ((c+1)_(n−1) n!) z^n,
 *
 * with (1 − (1−z)^δ)/δ = −expm1(δ ln(1−z))/δ (→ −ln(1−z) at δ = 0) and every denominator
 * positive. H is summed with the rigorous tail bound of special-functions.ts. When z is close
 * to 1, when the two parts cancel (Σ|parts| > 1e4 · result), or when A' is very negative
 * (r running far out), the same quantity is integrated instead:
 *
 *   E = E_{p ~ Beta(a, b+x)} [ (1 − (1 + p·t/(α+T))^−(r+x)) / p ],
 *
 * a positive integrand (the posterior of p given alive; λ integrated out), by tanh-sinh.
 */
export function expectedPurchasesIfAlive(
  k: AliveExpectationConstants,
  t: number,
  method: 'auto' | 'series' | 'quadrature' = 'auto',
): number {
  if (!(t > 0)) return 0;
  const w = t / k.alphaT;
  const z = t / (k.alphaT + t);
  if (method === 'series') return seriesForm(k, z, -Math.log1p(w)) ?? Number.NaN;
  if (method === 'quadrature') return quadratureForm(k, w);
  if (z <= SERIES_Z_MAX && k.Aprime > -20) {
    const v = seriesForm(k, z, -Math.log1p(w));
    if (v !== null) return v;
  }
  return quadratureForm(k, w);
}

function seriesForm(k: AliveExpectationConstants, z: number, L: number): number | null {
  const { Aprime, delta, c } = k;
  // E1 = (1 − (1−z)^δ)/δ
  const dL = delta * L;
  const E1 = delta === 0 ? -L : -Math.expm1(dL) / delta;
  const oneMinusZPowDelta = Math.exp(dL);
  let term = Aprime * z;
  let H = term;
  let Habs = Math.abs(term);
  const a = k.a;
  let converged = term === 0;
  for (let n = 1; n < MAX_SERIES_TERMS && !converged; n++) {
    // t_(n+1)/t_n = (A'+n)(a+n−1) / ((c+n)(n+1)) · z
    term *= (((Aprime + n) * (a + n - 1)) / ((c + n) * (n + 1))) * z;
    H += term;
    Habs += Math.abs(term);
    if (term === 0) {
      converged = true;
      break;
    }
    const m = n + 1;
    // The rigorous bound (two divisions) only once the terms are small.
    if (Math.abs(term) <= 1e-14 * Math.abs(H) && Aprime + m > 0) {
      // later ratios ≤ z · max((A'+m)/(c+m), 1) · max((a+m−1)/(m+1), 1) (monotone factors)
      const q = z * Math.max((Aprime + m) / (c + m), 1) * Math.max((a + m - 1) / (m + 1), 1);
      if (q < 1 && (Math.abs(term) * q) / (1 - q) <= 1e-16 * Math.abs(H)) converged = true;
    }
  }
  if (!converged) return null;
  const first = c * E1;
  const second = oneMinusZPowDelta * H;
  const value = first - second;
  if (!(value > 0) || !Number.isFinite(value)) return null;
  if (Math.abs(first) + oneMinusZPowDelta * Habs > MAX_CANCELLATION * value) return null;
  return value;
}

function quadratureForm(k: AliveExpectationConstants, w: number): number {
  const { A, a, beta } = k;
  const lnBeta = (k.lnBeta ??= logBeta(a, beta));
  // g(p) = (1 − (1 + p w)^−A) / p, g(0) = A w; integrand p^(a−1) (1−p)^(β−1) g(p) / B(a, β).
  const lnG = (p: number): number => {
    const y = p * w;
    if ((A + 1) * y < 1e-8) return Math.log(A * w) + Math.log1p(-((A + 1) * y) / 2);
    return Math.log(-Math.expm1(-A * Math.log1p(y))) - Math.log(p);
  };
  const mu = Math.min(a, beta, 1);
  const tMax = Math.min(12, Math.max(3.5, Math.asinh(45 / (Math.PI * mu))));
  const res = tanhSinhUnit((s, oms, lnS, lnOms) => (a - 1) * lnS + (beta - 1) * lnOms + lnG(s) - lnBeta, {
    tMax,
    relTol: 1e-10,
    minLevel: 3,
    maxLevel: 9,
  });
  // Mass of the Beta density beyond the outermost nodes, |ln s| > π sinh(tMax) (tiny unless
  // a or β is tiny): ∫_0^ε p^(a−1) dp · g(0)/B = ε^a/a · A w / B, and likewise at 1 with g(1).
  const lnEps = -Math.PI * Math.sinh(tMax);
  const lower = Math.exp(a * lnEps - Math.log(a) - lnBeta) * A * w;
  const upper = Math.exp(beta * lnEps - Math.log(beta) - lnBeta) * -Math.expm1(-A * Math.log1p(w));
  return res.value + lower + upper;
}

/**
 * E[Y(t) | x, t_x, T]: expected purchases in the next t weeks (paper equation 10) =
 * P(alive | x, t_x, T) · E[Y(t) | alive] (see expectedPurchasesIfAlive for the numerics).
 */
export function expectedPurchases(params: BgnbdParams, t: number, x: number, tx: number, T: number): number {
  if (!(t > 0)) return 0;
  return pAlive(params, x, tx, T) * expectedPurchasesIfAlive(aliveExpectationConstants(params, x, T), t);
}

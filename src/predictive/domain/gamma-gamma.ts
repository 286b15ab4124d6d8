/**
 * The Gamma-Gamma model of monetary value (Fader, Hardie & Lee, "RFM and CLV: Using Iso-Value
 * Curves for Customer Base Analysis", JMR 2005; Fader & Hardie, "The Gamma-Gamma Model of
 * Monetary Value", 2013) as shared/spec/kpi-definitions.md defines it: fitted by maximum
 * likelihood over customers with x > 0 and m_x > 0 (m_x = mean amount of the repeat purchase
 * days), E[M | x, m_x] = p (γ + x m_x) / (p x + q − 1).
 *
 * The density of a customer's mean spend m_x over x transactions is
 *   f(m_x | p, q, γ; x) = Γ(px+q) / (Γ(px) Γ(q)) · γ^q m_x^(px−1) x^(px) / (γ + x m_x)^(px+q).
 *
 * Pure code: no Nest, ORM or I/O imports.
 */
import { fitPositiveParameters, type MinimizeOptions } from './optimizer';
import { digammaDiff, logBeta } from './special-functions';

export interface GammaGammaParams {
  p: number;
  q: number;
  gamma: number;
}

/** A customer (or a group of `count` customers) with x repeat purchase days of mean amount mx. */
export interface GammaGammaRow {
  x: number;
  mx: number;
  count?: number;
}

export interface GammaGammaRows {
  x: Float64Array;
  mx: Float64Array;
  count?: Float64Array;
}

export type GammaGammaInput = GammaGammaRows | readonly GammaGammaRow[];

export interface GammaGammaFit extends GammaGammaParams {
  logLikelihood: number;
  converged: boolean;
  iterations: number;
  evaluations: number;
  gradientNorm: number;
  message: string;
  /** Parameters on the boundary of (0, ∞) (see BgnbdFit.boundary); empty for an interior maximum. */
  boundary: Array<keyof GammaGammaParams>;
  /** Asymptotic standard errors; null on the boundary. */
  standardErrors: GammaGammaParams | null;
  /** Rows and customers (total count) actually used: those with x > 0 and mx > 0. */
  rows: number;
  customers: number;
}

export interface GammaGammaFitOptions extends MinimizeOptions {
  start?: GammaGammaParams;
}

/** Rows with x > 0 and mx > 0, with per-distinct-x tables; build once, evaluate often. */
export interface PreparedGammaGammaData {
  readonly n: number;
  readonly totalWeight: number;
  readonly weight: Float64Array;
  readonly x: Float64Array;
  /** x · m_x per row, and its log. */
  readonly xm: Float64Array;
  readonly lnXm: Float64Array;
  readonly xIndex: Int32Array;
  readonly xValues: Float64Array;
  readonly xWeight: Float64Array;
  /** Σ w ln m_x and Σ w x ln m_x (constants of the likelihood). */
  readonly sumLnM: number;
  readonly sumXLnM: number;
  /** Σ w m_x / Σ w (for starting values). */
  readonly meanM: number;
}

export function prepareGammaGammaData(input: GammaGammaInput | PreparedGammaGammaData): PreparedGammaGammaData {
  if ((input as PreparedGammaGammaData).xm !== undefined) return input as PreparedGammaGammaData;
  let xs: ArrayLike<number>;
  let ms: ArrayLike<number>;
  let cs: ArrayLike<number> | null;
  if (Array.isArray(input)) {
    const rows = input as readonly GammaGammaRow[];
    xs = rows.map((r) => r.x);
    ms = rows.map((r) => r.mx);
    cs = rows.map((r) => r.count ?? 1);
  } else {
    const cols = input as GammaGammaRows;
    xs = cols.x;
    ms = cols.mx;
    cs = cols.count ?? null;
    if (ms.length !== xs.length || (cs && cs.length !== xs.length)) {
      throw new RangeError('Gamma-Gamma rows: x, mx and count must have the same length');
    }
  }
  const keep: number[] = [];
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    const m = ms[i];
    const w = cs ? cs[i] : 1;
    if (!Number.isFinite(x) || x < 0) throw new RangeError(`Gamma-Gamma row ${i}: x must be finite and ≥ 0 (got ${x})`);
    if (!Number.isFinite(m) || m < 0) throw new RangeError(`Gamma-Gamma row ${i}: mx must be finite and ≥ 0 (got ${m})`);
    if (!Number.isFinite(w) || w < 0) throw new RangeError(`Gamma-Gamma row ${i}: count must be finite and ≥ 0 (got ${w})`);
    if (x > 0 && m > 0 && w > 0) keep.push(i);
  }
  const n = keep.length;
  const weight = new Float64Array(n);
  const x = new Float64Array(n);
  const xm = new Float64Array(n);
  const lnXm = new Float64Array(n);
  const xIndex = new Int32Array(n);
  const map = new Map<number, number>();
  const distinct: number[] = [];
  let totalWeight = 0;
  let sumLnM = 0;
  let sumXLnM = 0;
  let sumM = 0;
  for (let j = 0; j < n; j++) {
    const i = keep[j];
    const w = cs ? cs[i] : 1;
    weight[j] = w;
    x[j] = xs[i];
    xm[j] = xs[i] * ms[i];
    lnXm[j] = Math.log(xm[j]);
    let k = map.get(x[j]);
    if (k === undefined) {
      k = distinct.length;
      map.set(x[j], k);
      distinct.push(x[j]);
    }
    xIndex[j] = k;
    totalWeight += w;
    const lm = Math.log(ms[i]);
    sumLnM += w * lm;
    sumXLnM += w * x[j] * lm;
    sumM += w * ms[i];
  }
  const xValues = Float64Array.from(distinct);
  const xWeight = new Float64Array(xValues.length);
  for (let j = 0; j < n; j++) xWeight[xIndex[j]] += weight[j];
  return { n, totalWeight, weight, x, xm, lnXm, xIndex, xValues, xWeight, sumLnM, sumXLnM, meanM: totalWeight > 0 ? sumM / totalWeight : 0 };
}

/**
 * Weighted log-likelihood; writes [∂/∂p, ∂/∂q, ∂/∂γ] into grad when given. Per customer
 *   ln f = −ln B(px, q) − ln m_x − q·ln(1 + x m_x/γ) − px·ln(1 + γ/(x m_x)),
 * which is ln Γ(px+q) − ln Γ(px) − ln Γ(q) + q ln γ + (px−1) ln m_x + px ln x − (px+q) ln(γ + x m_x)
 * rearranged so that nothing cancels when p, q, γ run far out (homogeneous spend).
 */
function evaluate(params: GammaGammaParams, data: PreparedGammaGammaData, grad?: Float64Array): number {
  const { p, q, gamma } = params;
  if (!(p > 0 && q > 0 && gamma > 0) || ![p, q, gamma].every(Number.isFinite)) return Number.NaN;
  let ll = -data.sumLnM;
  let dp = 0;
  let dq = 0;
  for (let k = 0; k < data.xValues.length; k++) {
    const x = data.xValues[k];
    const W = data.xWeight[k];
    const px = p * x;
    ll -= W * logBeta(px, q);
    if (grad) {
      dp += W * x * digammaDiff(px, q); // x (ψ(px+q) − ψ(px))
      dq += W * digammaDiff(q, px); // ψ(px+q) − ψ(q)
    }
  }
  // Σ w (q L1 + p x L2), L1 = ln(1 + x m/γ), L2 = ln(1 + γ/(x m)), with Neumaier's compensated
  // summation (the optimiser's line search needs f to ~1e-14 relative).
  let rowSum = 0;
  let comp = 0;
  let sL1 = 0;
  let sXL2 = 0;
  let sG = 0;
  const { weight, x, xm, lnXm } = data;
  const lnGamma = Math.log(gamma);
  for (let i = 0; i < data.n; i++) {
    const w = weight[i];
    const xi = x[i];
    const v = xm[i];
    // One log1p per row; the other log follows by ln(1+v/γ) − ln(1+γ/v) = ln v − ln γ, adding
    // two non-negative numbers either way (no cancellation).
    let L1: number;
    let L2: number;
    if (v > gamma) {
      L2 = Math.log1p(gamma / v);
      L1 = L2 + (lnXm[i] - lnGamma);
    } else {
      L1 = Math.log1p(v / gamma);
      L2 = L1 + (lnGamma - lnXm[i]);
    }
    const term = w * (q * L1 + p * xi * L2);
    const t = rowSum + term;
    comp += Math.abs(rowSum) >= Math.abs(term) ? rowSum - t + term : term - t + rowSum;
    rowSum = t;
    if (grad) {
      sL1 += w * L1;
      sXL2 += w * xi * L2;
      sG += (w * ((q * v) / gamma - p * xi)) / (gamma + v);
    }
  }
  ll -= rowSum + comp;
  if (grad) {
    grad[0] = dp - sXL2;
    grad[1] = dq - sL1;
    grad[2] = sG;
  }
  return ll;
}

/** Weighted Gamma-Gamma log-likelihood over the rows with x > 0 and mx > 0. */
export function ggLogLikelihood(params: GammaGammaParams, rows: GammaGammaInput | PreparedGammaGammaData): number {
  return evaluate(params, prepareGammaGammaData(rows));
}

/** Log-likelihood and its analytic gradient with respect to p, q, γ. */
export function ggLogLikelihoodGradient(
  params: GammaGammaParams,
  rows: GammaGammaInput | PreparedGammaGammaData,
): { logLikelihood: number; gradient: GammaGammaParams } {
  const g = new Float64Array(3);
  const logLikelihood = evaluate(params, prepareGammaGammaData(rows), g);
  return { logLikelihood, gradient: { p: g[0], q: g[1], gamma: g[2] } };
}

const PARAM_NAMES: readonly (keyof GammaGammaParams)[] = ['p', 'q', 'gamma'];

/**
 * Maximum-likelihood fit over ln(p, q, γ) (BFGS on the analytic gradient, Nelder–Mead
 * fallback), using only rows with x > 0 and mx > 0. Starting values: p = 1, q = 3,
 * γ = 2 · mean m_x (so that E[M] = pγ/(q−1) starts at the mean).
 */
export function fitGammaGamma(rows: GammaGammaInput | PreparedGammaGammaData, opts: GammaGammaFitOptions = {}): GammaGammaFit {
  const data = prepareGammaGammaData(rows);
  const W = data.totalWeight;
  if (!(W > 0)) throw new RangeError('fitGammaGamma: no customers with x > 0 and mx > 0');
  const start = opts.start ?? { p: 1, q: 3, gamma: 2 * data.meanM };
  const fit = fitPositiveParameters(PARAM_NAMES, start, (par, grad) => evaluate(par, data, grad), W, opts);
  const { params, ...rest } = fit;
  return {
    ...params,
    ...rest,
    rows: data.n,
    customers: W,
  };
}

/**
 * E[M | x, m_x] = p (γ + x m_x) / (p x + q − 1); for x = 0 the population mean p γ / (q − 1).
 * Infinite when p x + q ≤ 1 (q ≤ 1 and x = 0: the spend distribution has no mean).
 */
export function expectedAverageValue(params: GammaGammaParams, x: number, mx: number): number {
  const { p, q, gamma } = params;
  if (x <= 0) return q > 1 ? (p * gamma) / (q - 1) : Number.POSITIVE_INFINITY;
  const den = p * x + q - 1;
  return den > 0 ? (p * (gamma + x * mx)) / den : Number.POSITIVE_INFINITY;
}

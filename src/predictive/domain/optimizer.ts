/**
 * A small unconstrained minimiser for the predictive models' maximum-likelihood fits
 * (shared/spec/kpi-definitions.md, "Predictive customer value"): BFGS with a strong-Wolfe line
 * search (Nocedal & Wright, Algorithms 3.5/3.6 with cubic interpolation) on analytic
 * gradients, and Nelder–Mead as a derivative-free fallback when BFGS breaks down.
 *
 * The models optimise over log-parameters, so the problems are unconstrained and 3- or
 * 4-dimensional; a dense inverse-Hessian is the right tool. No npm optimiser fitted: the
 * maintained choices are either unmaintained for years (fmin, numeric) or lack a line search
 * that guarantees the BFGS curvature condition.
 *
 * Pure code: no Nest, ORM or I/O imports.
 */

/** Objective with gradient: writes ∇f(x) into `grad` and returns f(x) (non-finite = infeasible). */
export type ObjectiveWithGradient = (x: Float64Array, grad: Float64Array) => number;
export type Objective = (x: Float64Array) => number;

export interface MinimizeOptions {
  /** Maximum BFGS iterations (default 500). */
  maxIterations?: number;
  /** Converged when ‖∇f‖∞ ≤ gradientTolerance (default 1e-9). */
  gradientTolerance?: number;
  /**
   * Also converged when the relative change of f over an iteration is ≤ this and
   * ‖∇f‖∞ ≤ 1000 · gradientTolerance (default 1e-15).
   */
  relativeTolerance?: number;
  /** Stop (not converged) when some |x_i| exceeds this: a parameter ran off (default 40). */
  coordinateLimit?: number;
  /** Largest step in any coordinate per line search (default 5). */
  maxStep?: number;
}

export interface MinimizeResult {
  x: Float64Array;
  f: number;
  gradient: Float64Array;
  gradientNorm: number;
  iterations: number;
  evaluations: number;
  converged: boolean;
  message: string;
  method: 'bfgs' | 'nelder-mead' | 'nelder-mead+bfgs';
}

function normInf(v: Float64Array): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]));
  return m;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Minimiser of the cubic through (a, fa, ga) and (b, fb, gb), safeguarded into [lo, hi]. */
function cubicMin(a: number, fa: number, ga: number, b: number, fb: number, gb: number): number {
  const d1 = ga + gb - (3 * (fa - fb)) / (a - b);
  const disc = d1 * d1 - ga * gb;
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  if (disc >= 0 && Number.isFinite(fb)) {
    const d2 = Math.sign(b - a) * Math.sqrt(disc);
    const t = b - (b - a) * ((gb + d2 - d1) / (gb - ga + 2 * d2));
    if (Number.isFinite(t) && t > lo + 0.1 * (hi - lo) && t < hi - 0.1 * (hi - lo)) return t;
  }
  return (a + b) / 2;
}

interface LineSearchResult {
  ok: boolean;
  step: number;
  f: number;
  evaluations: number;
}

/**
 * Strong-Wolfe line search along d from x (f0, g0·d = dg0 < 0). On success xNew/gNew hold the
 * accepted point. Non-finite f is treated as +∞ (the step is shrunk).
 */
function strongWolfe(
  fg: ObjectiveWithGradient,
  x: Float64Array,
  f0: number,
  dg0: number,
  d: Float64Array,
  initialStep: number,
  xNew: Float64Array,
  gNew: Float64Array,
): LineSearchResult {
  const c1 = 1e-4;
  const c2 = 0.9;
  const n = x.length;
  let evaluations = 0;
  const evalAt = (step: number): { f: number; dg: number } => {
    for (let i = 0; i < n; i++) xNew[i] = x[i] + step * d[i];
    let f = fg(xNew, gNew);
    evaluations++;
    if (!Number.isFinite(f)) f = Number.POSITIVE_INFINITY;
    const dg = Number.isFinite(f) ? dot(gNew, d) : Number.NaN;
    return { f, dg };
  };

  // Hager & Zhang's approximate Wolfe conditions: near the minimum f's decrease drowns in
  // rounding (f ≈ f0 ± 1e-15·|f0|) while the gradient is still informative; accept a point
  // whose f is within rounding of f0 and whose slope satisfies 0.9·φ'(0) ≤ φ'(α) ≤ −0.8·φ'(0).
  const epsF = 1e-13 * Math.max(1, Math.abs(f0));
  const approxWolfe = (f: number, dg: number): boolean => f <= f0 + epsF && dg >= c2 * dg0 && dg <= -0.8 * dg0;

  const zoom = (lo: number, flo: number, dglo: number, hi: number, fhi: number, dghi: number): LineSearchResult => {
    for (let k = 0; k < 40; k++) {
      const step = Number.isFinite(fhi) && Number.isFinite(dghi) ? cubicMin(lo, flo, dglo, hi, fhi, dghi) : (lo + hi) / 2;
      const { f, dg } = evalAt(step);
      if (approxWolfe(f, dg)) return { ok: true, step, f, evaluations };
      if (f > f0 + c1 * step * dg0 || f >= flo) {
        hi = step;
        fhi = f;
        dghi = dg;
      } else {
        if (Math.abs(dg) <= -c2 * dg0) return { ok: true, step, f, evaluations };
        if (dg * (hi - lo) >= 0) {
          hi = lo;
          fhi = flo;
          dghi = dglo;
        }
        lo = step;
        flo = f;
        dglo = dg;
      }
      if (Math.abs(hi - lo) <= 1e-16 * Math.max(1, Math.abs(lo))) break;
    }
    // Accept the best point found if it decreases f sufficiently (Armijo), even without curvature.
    if (lo > 0) {
      const { f } = evalAt(lo);
      if (f <= f0 + c1 * lo * dg0) return { ok: true, step: lo, f, evaluations };
    }
    return { ok: false, step: 0, f: f0, evaluations };
  };

  let prevStep = 0;
  let fPrev = f0;
  let dgPrev = dg0;
  let step = initialStep;
  for (let k = 0; k < 60; k++) {
    const { f, dg } = evalAt(step);
    if (approxWolfe(f, dg)) return { ok: true, step, f, evaluations };
    if (f > f0 + c1 * step * dg0 || (k > 0 && f >= fPrev)) {
      return zoom(prevStep, fPrev, dgPrev, step, f, dg);
    }
    if (Math.abs(dg) <= -c2 * dg0) return { ok: true, step, f, evaluations };
    if (dg >= 0) return zoom(step, f, dg, prevStep, fPrev, dgPrev);
    prevStep = step;
    fPrev = f;
    dgPrev = dg;
    step *= 2;
  }
  return { ok: false, step: 0, f: f0, evaluations };
}

/** BFGS on an analytic gradient; see MinimizeOptions for the stopping rules. */
export function minimizeBfgs(fg: ObjectiveWithGradient, x0: ArrayLike<number>, opts: MinimizeOptions = {}): MinimizeResult {
  const n = x0.length;
  const maxIterations = opts.maxIterations ?? 500;
  const gtol = opts.gradientTolerance ?? 1e-9;
  const ftol = opts.relativeTolerance ?? 1e-15;
  const limit = opts.coordinateLimit ?? 40;
  const maxStep = opts.maxStep ?? 5;

  const x = Float64Array.from(x0);
  const g = new Float64Array(n);
  const xNew = new Float64Array(n);
  const gNew = new Float64Array(n);
  const d = new Float64Array(n);
  const s = new Float64Array(n);
  const y = new Float64Array(n);
  const Hy = new Float64Array(n);
  const H = new Float64Array(n * n);
  for (let i = 0; i < n; i++) H[i * n + i] = 1;

  let f = fg(x, g);
  let evaluations = 1;
  const done = (converged: boolean, message: string, iterations: number): MinimizeResult => ({
    x,
    f,
    gradient: g,
    gradientNorm: normInf(g),
    iterations,
    evaluations,
    converged,
    message,
    method: 'bfgs',
  });
  if (!Number.isFinite(f) || !g.every(Number.isFinite)) {
    return done(false, 'objective or gradient is not finite at the starting point', 0);
  }

  let scaled = false;
  for (let iter = 1; iter <= maxIterations; iter++) {
    if (normInf(g) <= gtol) return done(true, `gradient norm ${normInf(g).toExponential(2)} ≤ ${gtol}`, iter - 1);

    // d = −H g
    for (let i = 0; i < n; i++) {
      let v = 0;
      for (let j = 0; j < n; j++) v -= H[i * n + j] * g[j];
      d[i] = v;
    }
    let dg = dot(d, g);
    if (!(dg < 0)) {
      // Not a descent direction (H lost positive definiteness numerically): restart.
      H.fill(0);
      for (let i = 0; i < n; i++) {
        H[i * n + i] = 1;
        d[i] = -g[i];
      }
      dg = dot(d, g);
      scaled = false;
    }
    const dMax = normInf(d);
    const initialStep = dMax > maxStep ? maxStep / dMax : 1;

    const ls = strongWolfe(fg, x, f, dg, d, initialStep, xNew, gNew);
    evaluations += ls.evaluations;
    if (!ls.ok) {
      const gn = normInf(g);
      if (gn <= 1e3 * gtol) return done(true, `line search cannot improve further; gradient norm ${gn.toExponential(2)}`, iter);
      return done(false, `line search failed; gradient norm ${gn.toExponential(2)}`, iter);
    }
    for (let i = 0; i < n; i++) {
      s[i] = xNew[i] - x[i];
      y[i] = gNew[i] - g[i];
    }
    const fOld = f;
    x.set(xNew);
    g.set(gNew);
    f = ls.f;

    for (let i = 0; i < n; i++) {
      if (Math.abs(x[i]) > limit) {
        return done(false, `coordinate ${i} ran past ±${limit} (the maximum lies on the boundary)`, iter);
      }
    }
    const gn = normInf(g);
    if (gn <= gtol) return done(true, `gradient norm ${gn.toExponential(2)} ≤ ${gtol}`, iter);
    if (Math.abs(fOld - f) <= ftol * Math.max(Math.abs(f), 1e-300) && gn <= 1e3 * gtol) {
      return done(true, `relative change of f ≤ ${ftol}; gradient norm ${gn.toExponential(2)}`, iter);
    }

    const sy = dot(s, y);
    if (sy > 1e-300) {
      if (!scaled) {
        // Nocedal & Wright (6.20): scale the initial inverse Hessian before the first update.
        const yy = dot(y, y);
        const gamma = sy / yy;
        H.fill(0);
        for (let i = 0; i < n; i++) H[i * n + i] = gamma;
        scaled = true;
      }
      // H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ
      const rho = 1 / sy;
      for (let i = 0; i < n; i++) {
        let v = 0;
        for (let j = 0; j < n; j++) v += H[i * n + j] * y[j];
        Hy[i] = v;
      }
      const yHy = dot(y, Hy);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          H[i * n + j] += -rho * (Hy[i] * s[j] + s[i] * Hy[j]) + (rho * rho * yHy + rho) * s[i] * s[j];
        }
      }
    }
  }
  return done(false, `no convergence within ${maxIterations} iterations; gradient norm ${normInf(g).toExponential(2)}`, maxIterations);
}

/**
 * Nelder–Mead (adaptive coefficients of Gao & Han 2012) from x0 with initial simplex steps
 * `initialStep`. Converged when the simplex's f spread and size are below the tolerances.
 */
export function minimizeNelderMead(
  f: Objective,
  x0: ArrayLike<number>,
  opts: { maxEvaluations?: number; fTolerance?: number; xTolerance?: number; initialStep?: number } = {},
): MinimizeResult {
  const n = x0.length;
  const maxEvaluations = opts.maxEvaluations ?? 4000;
  const fTol = opts.fTolerance ?? 1e-13;
  const xTol = opts.xTolerance ?? 1e-10;
  const step = opts.initialStep ?? 0.5;
  const alpha = 1;
  const beta = 1 + 2 / n;
  const gamma = 0.75 - 1 / (2 * n);
  const delta = 1 - 1 / n;
  let evaluations = 0;
  const safeF = (p: Float64Array): number => {
    evaluations++;
    const v = f(p);
    return Number.isFinite(v) ? v : Number.POSITIVE_INFINITY;
  };
  const pts: Float64Array[] = [];
  const fs: number[] = [];
  for (let i = 0; i <= n; i++) {
    const p = Float64Array.from(x0);
    if (i > 0) p[i - 1] += step;
    pts.push(p);
    fs.push(safeF(p));
  }
  const centroid = new Float64Array(n);
  const trial = (from: Float64Array, coef: number): Float64Array => {
    const p = new Float64Array(n);
    for (let j = 0; j < n; j++) p[j] = centroid[j] + coef * (from[j] - centroid[j]);
    return p;
  };
  let iterations = 0;
  let converged = false;
  let message = `no convergence within ${maxEvaluations} evaluations`;
  while (evaluations < maxEvaluations) {
    iterations++;
    const order = fs.map((v, i) => i).sort((i, j) => fs[i] - fs[j]);
    const sp = order.map((i) => pts[i]);
    const sf = order.map((i) => fs[i]);
    for (let i = 0; i <= n; i++) {
      pts[i] = sp[i];
      fs[i] = sf[i];
    }
    let size = 0;
    for (let i = 1; i <= n; i++) for (let j = 0; j < n; j++) size = Math.max(size, Math.abs(pts[i][j] - pts[0][j]));
    if (Math.abs(fs[n] - fs[0]) <= fTol * Math.max(1, Math.abs(fs[0])) && size <= xTol) {
      converged = true;
      message = 'simplex converged';
      break;
    }
    centroid.fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) centroid[j] += pts[i][j] / n;
    const xr = trial(pts[n], -alpha);
    const fr = safeF(xr);
    if (fr < fs[0]) {
      const xe = trial(pts[n], -alpha * beta);
      const fe = safeF(xe);
      if (fe < fr) {
        pts[n] = xe;
        fs[n] = fe;
      } else {
        pts[n] = xr;
        fs[n] = fr;
      }
    } else if (fr < fs[n - 1]) {
      pts[n] = xr;
      fs[n] = fr;
    } else {
      const outside = fr < fs[n];
      const xc = trial(outside ? xr : pts[n], gamma);
      const fc = safeF(xc);
      if (fc < (outside ? fr : fs[n])) {
        pts[n] = xc;
        fs[n] = fc;
      } else {
        for (let i = 1; i <= n; i++) {
          for (let j = 0; j < n; j++) pts[i][j] = pts[0][j] + delta * (pts[i][j] - pts[0][j]);
          fs[i] = safeF(pts[i]);
        }
      }
    }
  }
  let best = 0;
  for (let i = 1; i <= n; i++) if (fs[i] < fs[best]) best = i;
  return {
    x: pts[best],
    f: fs[best],
    gradient: new Float64Array(n).fill(Number.NaN),
    gradientNorm: Number.NaN,
    iterations,
    evaluations,
    converged,
    message,
    method: 'nelder-mead',
  };
}

/**
 * BFGS from x0; when it breaks down (line-search failure, non-finite values, iteration cap)
 * without having run off towards the boundary, Nelder–Mead from the best point so far, then BFGS
 * again from Nelder–Mead's answer to certify the gradient.
 */
export function minimize(fg: ObjectiveWithGradient, x0: ArrayLike<number>, opts: MinimizeOptions = {}): MinimizeResult {
  const first = minimizeBfgs(fg, x0, opts);
  if (first.converged || first.message.includes('boundary')) return first;
  // Running out towards the boundary (a coordinate beyond ±ln 1e6): Nelder–Mead cannot help and
  // would cost thousands of evaluations on a large data set.
  if (first.x.some((v) => Math.abs(v) > Math.log(1e6))) return first;
  const n = x0.length;
  const scratch = new Float64Array(n);
  const start = first.x.every(Number.isFinite) && Number.isFinite(first.f) ? first.x : Float64Array.from(x0);
  const nm = minimizeNelderMead((p) => fg(p, scratch), start, { maxEvaluations: 3000 });
  const second = minimizeBfgs(fg, nm.x, opts);
  const evaluations = first.evaluations + nm.evaluations + second.evaluations;
  const iterations = first.iterations + nm.iterations + second.iterations;
  const best = second.f <= nm.f ? second : { ...nm, converged: false };
  return {
    ...best,
    evaluations,
    iterations,
    method: best === second ? 'nelder-mead+bfgs' : 'nelder-mead',
    message: `BFGS: ${first.message}; after Nelder–Mead: ${best.message}`,
  };
}

/**
 * Hessian of f at x by central differences of the analytic gradient (2n gradient calls),
 * symmetrised; row-major n×n.
 */
export function numericalHessian(fg: ObjectiveWithGradient, x: ArrayLike<number>, step = 1e-4): Float64Array {
  const n = x.length;
  const H = new Float64Array(n * n);
  const xp = Float64Array.from(x);
  const gp = new Float64Array(n);
  const gm = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const h = step * Math.max(1, Math.abs(x[j]));
    xp[j] = x[j] + h;
    fg(xp, gp);
    xp[j] = x[j] - h;
    fg(xp, gm);
    xp[j] = x[j];
    for (let i = 0; i < n; i++) H[i * n + j] = (gp[i] - gm[i]) / (2 * h);
  }
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = (H[i * n + j] + H[j * n + i]) / 2;
      H[i * n + j] = v;
      H[j * n + i] = v;
    }
  }
  return H;
}

/** Eigen-decomposition of a small symmetric matrix (cyclic Jacobi); vectors are columns. */
export function symmetricEigen(A: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(A);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += a[i * n + j] * a[i * n + j];
    if (off === 0 || !Number.isFinite(off)) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = a[i * n + i];
  return { values, vectors: v };
}

export interface CurvatureCheck {
  /** Eigenvalues of the Hessian of f (ascending). */
  eigenvalues: Float64Array;
  /** Coordinates with a weight ≥ 0.3 in the flattest direction. */
  flatCoordinates: number[];
  /** Covariance of x when f is scaled by `scale` (f = −LL/scale); null if not positive definite. */
  covariance: Float64Array | null;
}

/**
 * Curvature at a minimiser of f = −LL / scale: eigenvalues of the Hessian, the coordinates of
 * the flattest direction, and the asymptotic covariance (scale · Hessian)⁻¹ when the Hessian is
 * positive definite.
 */
export function curvatureAt(fg: ObjectiveWithGradient, x: ArrayLike<number>, scale: number): CurvatureCheck {
  const n = x.length;
  const H = numericalHessian(fg, x);
  const { values, vectors } = symmetricEigen(H, n);
  const order = Array.from(values.keys()).sort((i, j) => values[i] - values[j]);
  const eigenvalues = Float64Array.from(order.map((i) => values[i]));
  const k = order[0];
  const flatCoordinates: number[] = [];
  for (let i = 0; i < n; i++) if (Math.abs(vectors[i * n + k]) >= 0.3) flatCoordinates.push(i);
  let covariance: Float64Array | null = null;
  if (eigenvalues[0] > 0 && eigenvalues.every(Number.isFinite)) {
    covariance = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let m = 0; m < n; m++) s += (vectors[i * n + m] * vectors[j * n + m]) / values[m];
        covariance[i * n + j] = s / scale;
      }
    }
  }
  return { eigenvalues, flatCoordinates, covariance };
}

export interface MaximumLikelihoodAssessment {
  converged: boolean;
  message: string;
  /** Indices of parameters on (or running towards) the boundary. */
  boundary: number[];
  /** Standard errors of the log-parameters (null when not identified / on the boundary). */
  logStandardErrors: Float64Array | null;
}

/**
 * Verdict on a maximum-likelihood fit over log-parameters x = ln θ with f = −LL / W:
 * - a log-parameter beyond ±boundaryLog (θ < e^−16 or > e^16 by default ≈ 1e7) is on the boundary;
 * - otherwise the observed information W·∇²f is examined: if its smallest eigenvalue is
 *   below `flatInformation` (the log-likelihood changes by < 0.0005 over a unit step in ln θ),
 *   the likelihood is flat along that direction, i.e. its supremum lies at the boundary and
 *   the optimiser stopped only because the gradient vanishes at infinity; the parameters
 *   dominating that direction are reported. Such fits are not `converged`.
 */
export function assessMaximumLikelihood(
  fg: ObjectiveWithGradient,
  result: MinimizeResult,
  W: number,
  opts: { boundaryLog?: number; flatInformation?: number } = {},
): MaximumLikelihoodAssessment {
  const boundaryLog = opts.boundaryLog ?? Math.log(1e7);
  const flatInformation = opts.flatInformation ?? 1e-3;
  const n = result.x.length;
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (Math.abs(result.x[i]) > boundaryLog) out.push(i);
  if (out.length > 0) {
    return { converged: false, message: result.message, boundary: out, logStandardErrors: null };
  }
  const curv = curvatureAt(fg, result.x, W);
  const info = curv.eigenvalues[0] * W;
  if (!(info >= flatInformation)) {
    return {
      converged: false,
      message: `log-likelihood flat along a direction (smallest observed information ${info.toExponential(2)}): ${result.message}`,
      boundary: curv.flatCoordinates,
      logStandardErrors: null,
    };
  }
  const se = new Float64Array(n);
  for (let i = 0; i < n; i++) se[i] = Math.sqrt(curv.covariance![i * n + i]);
  return { converged: result.converged, message: result.message, boundary: [], logStandardErrors: se };
}

/** The outcome of a maximum-likelihood fit over positive parameters (see fitPositiveParameters). */
export interface PositiveParameterFit<K extends string> {
  params: Record<K, number>;
  logLikelihood: number;
  converged: boolean;
  iterations: number;
  evaluations: number;
  gradientNorm: number;
  message: string;
  boundary: K[];
  standardErrors: Record<K, number> | null;
}

/**
 * Maximum likelihood over positive parameters, optimised in log space: minimises −LL / W
 * (W = total customer weight) with `minimize`, then judges the answer with
 * `assessMaximumLikelihood` (boundary, flatness, non-finite likelihood) and turns log-scale
 * standard errors back into parameter units. Shared by the BG/NBD and Gamma-Gamma fits.
 * `logLikelihood(params, grad)` returns LL and, when `grad` is given, fills ∂LL/∂param.
 */
export function fitPositiveParameters<K extends string>(
  names: readonly K[],
  start: Record<K, number>,
  logLikelihood: (params: Record<K, number>, grad?: Float64Array) => number,
  W: number,
  opts: MinimizeOptions,
): PositiveParameterFit<K> {
  const g = new Float64Array(names.length);
  const fromTheta = (t: Float64Array): Record<K, number> => {
    const p = {} as Record<K, number>;
    names.forEach((k, i) => (p[k] = Math.exp(t[i])));
    return p;
  };
  const objective = (t: Float64Array, grad: Float64Array): number => {
    const p = fromTheta(t);
    const ll = logLikelihood(p, g);
    // f = −LL / W; ∂f/∂θ_i = −θ_i' · ∂LL/∂θ_i' / W with θ' = exp θ
    names.forEach((k, i) => (grad[i] = (-p[k] * g[i]) / W));
    return -ll / W;
  };
  const res = minimize(objective, Float64Array.from(names, (k) => Math.log(start[k])), opts);
  const params = fromTheta(res.x);
  const verdict = assessMaximumLikelihood(objective, res, W);
  const boundary = verdict.boundary.map((i) => names[i]);
  let converged = verdict.converged;
  let message = verdict.message;
  if (boundary.length > 0) {
    const where = boundary.map((k) => `${k} = ${params[k].toExponential(3)}`).join(', ');
    message = `maximum on the boundary of the parameter space (${where}); predictions remain defined. ${verdict.message}`;
  }
  const se = verdict.logStandardErrors;
  let standardErrors: Record<K, number> | null = null;
  if (se) {
    standardErrors = {} as Record<K, number>;
    names.forEach((k, i) => (standardErrors![k] = params[k] * se[i]));
  }
  const logLikelihoodAtAnswer = logLikelihood(params);
  if (!Number.isFinite(logLikelihoodAtAnswer)) {
    converged = false;
    message = `non-finite log-likelihood at the answer (${res.message})`;
  }
  return {
    params,
    logLikelihood: logLikelihoodAtAnswer,
    converged,
    iterations: res.iterations,
    evaluations: res.evaluations,
    gradientNorm: res.gradientNorm,
    message,
    boundary,
    standardErrors,
  };
}

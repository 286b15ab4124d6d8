import { minimize, minimizeBfgs, minimizeNelderMead, symmetricEigen } from '../../src/predictive/domain/optimizer';

/** Extended Rosenbrock function with gradient. */
function rosenbrock(x: Float64Array, g: Float64Array): number {
  let f = 0;
  g.fill(0);
  for (let i = 0; i < x.length - 1; i++) {
    const a = x[i + 1] - x[i] * x[i];
    const b = 1 - x[i];
    f += 100 * a * a + b * b;
    g[i] += -400 * x[i] * a - 2 * b;
    g[i + 1] += 200 * a;
  }
  return f;
}

describe('optimizer', () => {
  it('BFGS minimises the 4-D Rosenbrock function to its minimum (1, 1, 1, 1)', () => {
    const res = minimizeBfgs(rosenbrock, [-1.2, 1, -1.2, 1]);
    expect(res.converged).toBe(true);
    for (const v of res.x) expect(v).toBeCloseTo(1, 6);
    expect(res.gradientNorm).toBeLessThanOrEqual(1e-9);
  });

  it('Nelder–Mead minimises the 2-D Rosenbrock function', () => {
    const g = new Float64Array(2);
    const res = minimizeNelderMead((x) => rosenbrock(x, g), [-1.2, 1]);
    expect(res.converged).toBe(true);
    expect(res.x[0]).toBeCloseTo(1, 4);
    expect(res.x[1]).toBeCloseTo(1, 4);
  });

  it('backs off from regions where the objective is not finite', () => {
    // f = (x − 3)² but undefined for x > 4: the first, long step lands there
    const res = minimize((x, g) => {
      if (x[0] > 4) return Number.NaN;
      g[0] = 2 * (x[0] - 3);
      return (x[0] - 3) ** 2;
    }, [-20]);
    expect(res.converged).toBe(true);
    expect(res.x[0]).toBeCloseTo(3, 8);
  });

  it('reports a coordinate running off to infinity instead of looping', () => {
    // f = e^(−x) has no minimum: x → ∞
    const res = minimize((x, g) => {
      g[0] = -Math.exp(-x[0]);
      return Math.exp(-x[0]);
    }, [0], { gradientTolerance: 1e-30 });
    expect(res.converged).toBe(false);
    expect(res.message).toMatch(/boundary|line search|no convergence/);
    expect(res.x[0]).toBeGreaterThan(10);
  });

  it('reports the iteration cap', () => {
    const res = minimizeBfgs(rosenbrock, [-1.2, 1, -1.2, 1], { maxIterations: 3 });
    expect(res.converged).toBe(false);
    expect(res.message).toMatch(/within 3 iterations/);
  });

  it('diagonalises symmetric matrices', () => {
    const { values } = symmetricEigen(Float64Array.from([2, 1, 0, 1, 2, 0, 0, 0, 5]), 3);
    expect(Array.from(values).sort((a, b) => a - b).map((v) => Number(v.toFixed(12)))).toEqual([1, 3, 5]);
  });
});

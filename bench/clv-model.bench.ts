/**
 * Micro-benchmark of the predictive models (not wired to npm): simulates 1,000,000 customers
 * from known BG/NBD and Gamma-Gamma parameters on a whole-day grid (first purchases spread
 * over three years before the calibration end), groups them into distinct (x, t_x, T) rows,
 * fits both models and scores every customer's P(alive) and 12-month discounted CLV.
 *
 *   npx tsx bench/clv-model.bench.ts [customers]
 */
import { fitBgnbd, prepareBgnbdData } from '../src/predictive/domain/bgnbd';
import { scoreClvBatch } from '../src/predictive/domain/clv';
import { groupDistinctRows } from '../src/predictive/domain/customer-summary';
import { fitGammaGamma, prepareGammaGammaData } from '../src/predictive/domain/gamma-gamma';
import { simulateCustomers } from '../test/predictive/support/simulate';

const n = Number(process.argv[2] ?? 1_000_000);
const truth = { r: 0.6, alpha: 9, a: 0.7, b: 3 };
const ggTruth = { p: 5, q: 3.5, gamma: 20 };
const ms = (t0: number): string => `${(performance.now() - t0).toFixed(0)} ms`;

let t0 = performance.now();
const sim = simulateCustomers(n, 20261101, {
  bgnbd: truth,
  gg: ggTruth,
  ageOf: (_i, rng) => Math.floor(rng.next() * 3 * 365) / 7,
  wholeDays: true,
});
console.log(`simulate ${n} customers: ${ms(t0)}`);

const total = performance.now();
t0 = performance.now();
const grouped = groupDistinctRows(sim.x, sim.tx, sim.T);
console.log(`group into ${grouped.rows.x.length} distinct (x, t_x, T) rows: ${ms(t0)}`);

t0 = performance.now();
const prepared = prepareBgnbdData(grouped.rows);
console.log(`prepare BG/NBD tables (${prepared.xValues.length} x, ${prepared.TValues.length} T, ${prepared.txValues.length} t_x values): ${ms(t0)}`);
t0 = performance.now();
const bg = fitBgnbd(prepared);
console.log(
  `fit BG/NBD: ${ms(t0)} (${bg.iterations} iterations, ${bg.evaluations} evaluations, converged ${bg.converged}) ` +
    `r=${bg.r.toFixed(4)} α=${bg.alpha.toFixed(4)} a=${bg.a.toFixed(4)} b=${bg.b.toFixed(4)} LL=${bg.logLikelihood.toFixed(1)}`,
);

t0 = performance.now();
const ggData = prepareGammaGammaData({ x: sim.x, mx: sim.mx });
console.log(`prepare Gamma-Gamma rows: ${ms(t0)}`);
t0 = performance.now();
const gg = fitGammaGamma(ggData);
console.log(
  `fit Gamma-Gamma on ${ggData.n} repeat customers: ${ms(t0)} (${gg.iterations} iterations, ${gg.evaluations} evaluations, converged ${gg.converged}) ` +
    `p=${gg.p.toFixed(4)} q=${gg.q.toFixed(4)} γ=${gg.gamma.toFixed(4)}`,
);

t0 = performance.now();
const marginRate = new Float64Array(n).fill(0.3);
const scored = scoreClvBatch({ bgnbd: bg, gg }, { x: sim.x, tx: sim.tx, T: sim.T, mx: sim.mx, marginRate }, {
  horizonMonths: 12,
  annualDiscountRate: 0.1,
});
let sum = 0;
let sumAlive = 0;
for (let i = 0; i < n; i++) {
  sum += scored.clv[i];
  sumAlive += scored.pAlive[i];
}
console.log(`score ${n} customers (P(alive) + 12-month CLV over ${scored.distinctRows} rows): ${ms(t0)}`);
console.log(`mean CLV ${(sum / n).toFixed(4)}, mean P(alive) ${(sumAlive / n).toFixed(4)}`);
console.log(`total group + fit + score: ${ms(total)}`);

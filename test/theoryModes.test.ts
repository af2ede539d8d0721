/**
 * The mode-share dynamics: deterministic drift from an imbalanced start, and the finite-
 * batch model against it.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { modeShares } from '../src/theory/modeShares.ts';
import { dropTime, twoModeDrift, twoModeStochastic } from '../src/theory/modeDynamics.ts';

const modes = suite('mode dynamics');

const R = [0.5, 0.5];
const START = [0.4, 0.6];
const DRIFT = { r: R, w0: START, eta: 1, dt: 0.05, steps: 400 };

modes('drift drops the smaller mode under NS and balances under MM', () => {
  const ns = twoModeDrift({ ...DRIFT, cost: 'ns' });
  const mm = twoModeDrift({ ...DRIFT, cost: 'mm' });
  const hinge = twoModeDrift({ ...DRIFT, cost: 'hinge' });

  assert.ok(ns.w[ns.w.length - 1][0] < 0.01, `NS final w1 = ${ns.w[ns.w.length - 1][0]}`);
  assert.ok(Math.abs(mm.w[mm.w.length - 1][0] - 0.5) < 1e-3, `MM final w1 = ${mm.w[mm.w.length - 1][0]}`);
  // Uniform weighting has share = w, so the drift does not move at all.
  assert.ok(Math.abs(hinge.w[hinge.w.length - 1][0] - 0.4) < 1e-12);
  assert.is(ns.t[ns.t.length - 1], DRIFT.steps * DRIFT.dt);
  assert.ok(dropTime(ns, 0.05) !== null);
  assert.is(dropTime(mm, 0.05), null);
});

modes('a large batch moves w by the drift\'s share', () => {
  // With η = 1 the new w1 is the batch's share. Its spread comes from x = n1/N, with
  // sd √(w1·w2/N); the share f(x) = x·s1/(x·s1 + (1 − x)·s2) scales it by f′(w1). Six
  // standard deviations: a false-alarm rate of about 2e−9 per check.
  const batchSize = 100_000;
  const w1 = START[0];
  const sd = Math.sqrt((w1 * (1 - w1)) / batchSize);
  for (const cost of ['mm', 'ns']) {
    const expected = modeShares(cost, START, R)[0];
    const d1 = R[0] / (R[0] + w1);
    const d2 = R[1] / (R[1] + START[1]);
    const [s1, s2] = cost === 'mm' ? [d1, d2] : [1 - d1, 1 - d2];
    const slope = (s1 * s2) / (w1 * s1 + (1 - w1) * s2) ** 2;
    const { w } = twoModeStochastic({ cost, r: R, w0: START, eta: 1, steps: 1, batchSize, seed: 5 });
    assert.ok(Math.abs(w[1][0] - expected) <= 6 * slope * sd, `${cost}: ${w[1][0]} vs ${expected}`);
  }
});

modes('stochastic runs repeat from their seed', () => {
  const options = { cost: 'hinge', r: R, w0: START, eta: 0.05, steps: 50, batchSize: 16 };
  const first = twoModeStochastic({ ...options, seed: 3 });
  const second = twoModeStochastic({ ...options, seed: 3 });
  const other = twoModeStochastic({ ...options, seed: 4 });
  assert.equal(first.w, second.w);
  assert.not.equal(first.w, other.w);
  assert.is(first.seed, 3);
});

modes('recordEvery keeps every k-th state and the last', () => {
  const { t } = twoModeStochastic({ cost: 'mm', r: R, w0: START, eta: 0.1, steps: 10, batchSize: 8, seed: 1, recordEvery: 4 });
  assert.equal(t, [0, 4, 8, 10]);
});

modes('ls keeps w on the simplex where its factor turns negative', () => {
  // For w1 < ½/e the ls factor 1 − ln(r1/w1) is negative.
  const { w } = twoModeStochastic({ cost: 'ls', r: R, w0: [0.1, 0.9], eta: 0.5, steps: 200, batchSize: 4, seed: 9 });
  for (const masses of w) {
    assert.ok(masses.every((mass) => mass >= 0 && mass <= 1));
    assert.ok(Math.abs(masses[0] + masses[1] - 1) < 1e-12);
  }
});

modes.run();

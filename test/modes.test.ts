import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assignModes, modeMetrics, type ModeLayout } from '../src/metrics/modes.ts';

/** Two modes 1 apart on the x axis, σ 0.1: 3σ is 0.3. */
const PAIR: ModeLayout = { means: [[0, 0], [1, 0]], weights: [0.5, 0.5], sigma: 0.1 };

test('samples go to the nearest mode within 3σ', () => {
  const points = [0.05, 0, 0.9, 0.1, 0.5, 0, 0, 0.29, 0, 0.31, Number.NaN, 0];
  assert.equal(Array.from(assignModes(points, PAIR)), [0, 1, -1, 0, -1, -1]);
});

test('axis-mean rule reaches corners the circle misses', () => {
  // (0.25, 0.25): Euclidean 3.54σ (outside), mean of per-axis distances 2.5σ (inside).
  const corner = [0.25, 0.25];
  assert.equal(Array.from(assignModes(corner, PAIR)), [-1]);
  assert.equal(Array.from(assignModes(corner, PAIR, { rule: 'axis-mean' })), [0]);
  // (0.55, 0): 4.5σ from mode 1 along one axis, a mean of 2.25σ over two axes.
  assert.equal(Array.from(assignModes([0.55, 0], PAIR, { rule: 'axis-mean' })), [1]);
  assert.equal(Array.from(assignModes([0.25, 0.25], PAIR, { rule: 'euclidean', radius: 4 })), [0]);
});

test('mode metrics count a known sample set', () => {
  // Four modes; 6 samples on mode 0, 2 on mode 1, 0 on modes 2 and 3, 2 off-mode.
  const layout: ModeLayout = { means: [[0, 0], [1, 0], [0, 1], [1, 1]], weights: [0.25, 0.25, 0.25, 0.25], sigma: 0.05 };
  const points = [
    ...Array(6).fill([0.01, 0]).flat(),
    ...Array(2).fill([1, 0.02]).flat(),
    0.5, 0.5,
    3, 3,
  ];
  const metrics = modeMetrics(points, layout, { coverageShare: 0.5 });
  assert.is(metrics.sampleCount, 10);
  assert.equal(metrics.counts, [6, 2, 0, 0]);
  assert.is(metrics.offModeCount, 2);
  assert.equal(metrics.frequencies, [0.6, 0.2, 0, 0]);
  assert.is(metrics.highQualityRate, 0.8);
  // Expected per mode: 10 · 0.25 = 2.5; half of it is 1.25, so modes 0 and 1 count.
  assert.equal(metrics.covered, [true, true, false, false]);
  assert.is(metrics.modesCovered, 2);
  // JS(p‖q) in bits, p uniform over 4, q = (0.75, 0.25, 0, 0) among on-mode samples:
  // m = (0.5, 0.25, 0.125, 0.125); KL(p‖m) = ¼(log2 ½ + 0 + 1 + 1) = 0.25,
  // KL(q‖m) = 0.75·log2 1.5 = 0.438722; JS = ½(0.25 + 0.438722) = 0.344361.
  assert.ok(Math.abs(metrics.modeDivergence - 0.3443609) < 1e-6, `JS ${metrics.modeDivergence}`);
});

test('mode metrics of matching frequencies', () => {
  const layout: ModeLayout = { means: [[0, 0], [1, 0]], weights: [0.25, 0.75], sigma: 0.1 };
  const points = [0, 0, 1, 0, 1, 0, 1, 0];
  const metrics = modeMetrics(points, layout);
  assert.is(metrics.modesCovered, 2);
  assert.ok(Math.abs(metrics.modeDivergence) < 1e-12);
  assert.is(metrics.highQualityRate, 1);
});

test('mode metrics with no sample on a mode', () => {
  const metrics = modeMetrics([5, 5, -5, 5], PAIR);
  assert.is(metrics.highQualityRate, 0);
  assert.is(metrics.modesCovered, 0);
  assert.is(metrics.modeDivergence, 1);
});

test('coverage needs the set share of expected samples', () => {
  // 100 samples, 98 on mode 0 and 2 on mode 1: mode 1 expects 50, so 2 is below 25 %.
  const points = [...Array(98).fill([0, 0]).flat(), ...Array(2).fill([1, 0]).flat()];
  assert.equal(modeMetrics(points, PAIR).covered, [true, false]);
  assert.equal(modeMetrics(points, PAIR, { coverageShare: 0.04 }).covered, [true, true]);
});

test('mode metrics reject invalid input', () => {
  assert.throws(() => assignModes([0, 0, 1], PAIR), /2 coordinates per sample, received 3 numbers/);
  assert.throws(() => modeMetrics([], PAIR), /at least one sample/);
  assert.throws(() => assignModes([0, 0], { ...PAIR, sigma: 0 }), /sigma must be a finite number > 0, received 0/);
  assert.throws(() => assignModes([0, 0], { ...PAIR, weights: [1] }), /one weight per mode \(2\), received 1/);
  assert.throws(() => assignModes([0, 0], PAIR, { rule: 'manhattan' as 'euclidean' }), /rule must be euclidean or axis-mean, received manhattan/);
  assert.throws(() => assignModes([0, 0], { means: [], weights: [], sigma: 1 }), /at least one mode, received 0/);
});

test.run();

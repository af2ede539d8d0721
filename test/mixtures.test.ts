import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import {
  createMixture,
  gridMixture,
  pacganRingMixture,
  ringMixture,
  sampleMixture,
  sampleModeIndices,
  spiralMixture,
} from '../src/data/mixtures.ts';

test.before(async () => {
  await tf.setBackend('wasm');
});

test('ring has eight unit modes at 2πk/8', () => {
  const ring = ringMixture();
  assert.is(ring.means.length, 8);
  assert.is(ring.sigma, 0.03);
  ring.means.forEach(([x, y], k) => {
    assert.ok(Math.abs(x - Math.cos((Math.PI * k) / 4)) < 1e-12, `mode ${k} x`);
    assert.ok(Math.abs(y - Math.sin((Math.PI * k) / 4)) < 1e-12, `mode ${k} y`);
  });
  assert.ok(ring.weights.every((w) => w === 1 / 8));
});

test('ring modes never share an angle', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 64 }), fc.double({ min: 0.1, max: 10, noNaN: true }), (modes, radius) => {
      const ring = ringMixture({ modes, radius });
      const angles = ring.means.map(([x, y]) => Math.atan2(y, x));
      // Neighbours on a circle of K modes are 2r·sin(π/K) apart; anything closer is a duplicate.
      const spacing = modes === 1 ? Infinity : 2 * radius * Math.sin(Math.PI / modes);
      for (let i = 0; i < modes; i++) {
        for (let j = i + 1; j < modes; j++) {
          const [a, b] = [ring.means[i], ring.means[j]];
          const distance = Math.hypot(a[0] - b[0], a[1] - b[1]);
          assert.ok(distance > 0.999 * spacing, `modes ${i} and ${j} of ${modes} are ${distance} apart`);
        }
      }
      assert.is(new Set(angles.map((angle) => angle.toFixed(9))).size, modes);
    }),
    { numRuns: 50, seed: 8 },
  );
});

test('spiral modes and weights follow the toy script', () => {
  const spiral = spiralMixture();
  assert.is(spiral.means.length, 12);
  assert.is(spiral.sigma, 0.1);
  assert.equal(spiral.means[0], [0, 0]);
  const tLast = 4.788;
  const last = spiral.means[11];
  assert.ok(Math.abs(last[0] - 0.3 * tLast * Math.cos(Math.PI * tLast)) < 1e-12);
  assert.ok(Math.abs(last[1] - 0.3 * tLast * Math.sin(Math.PI * tLast)) < 1e-12);
  // Weights 1, 1 + 7/12, …, 1 + 77/12 sum to 50.5.
  assert.ok(Math.abs(spiral.weights[0] - 1 / 50.5) < 1e-12);
  assert.ok(Math.abs(spiral.weights[0] - 0.0198) < 1e-4);
  assert.ok(Math.abs(spiral.weights[11] - 0.1469) < 1e-4);
  assert.ok(Math.abs(spiral.weights.reduce((s, w) => s + w, 0) - 1) < 1e-12);
  for (let k = 1; k < 12; k++) {
    assert.ok(Math.abs(spiral.weights[k] - spiral.weights[k - 1] - 7 / 12 / 50.5) < 1e-12, `step ${k}`);
  }
});

test('pacgan ring and grid have their layouts', () => {
  const pacgan = pacganRingMixture();
  assert.is(pacgan.sigma, 0.01);
  assert.is(pacgan.means.length, 8);
  const grid = gridMixture();
  assert.is(grid.means.length, 25);
  assert.is(grid.sigma, 0.05);
  const keys = new Set(grid.means.map(([x, y]) => `${x},${y}`));
  for (const x of [-4, -2, 0, 2, 4]) for (const y of [-4, -2, 0, 2, 4]) assert.ok(keys.has(`${x},${y}`));
  assert.equal(createMixture({ kind: 'ring', sigma: 0.05 }).sigma, 0.05);
  assert.equal(createMixture({ kind: 'grid', values: [0, 1] }).means.length, 4);
});

test('mixture options reject invalid values', () => {
  assert.throws(() => ringMixture({ modes: 0 }), /modes must be an integer ≥ 1, received 0/);
  assert.throws(() => spiralMixture({ modes: 2.5 }), /modes must be an integer ≥ 1, received 2.5/);
  assert.throws(() => ringMixture({ sigma: -1 }), /sigma must be a finite number > 0, received -1/);
  assert.throws(() => gridMixture({ values: [] }), /values must hold at least one coordinate/);
  assert.throws(() => gridMixture({ values: [1, 1] }), /values must be distinct/);
  assert.throws(() => createMixture({ kind: 'moon' } as never), /kind must be ring, spiral, pacgan-ring or grid, received moon/);
  assert.throws(() => sampleMixture(ringMixture(), 0, 1), /count must be an integer ≥ 1, received 0/);
});

test('mixture samples repeat for a seed', () => {
  const ring = ringMixture();
  const a = sampleMixture(ring, 64, 12345);
  const b = sampleMixture(ring, 64, 12345);
  const c = sampleMixture(ring, 64, 12346);
  assert.equal(a.shape, [64, 2]);
  assert.equal(Array.from(a.dataSync()), Array.from(b.dataSync()));
  assert.not.equal(Array.from(a.dataSync()), Array.from(c.dataSync()));
  tf.dispose([a, b, c]);
});

test('mixture samples have the mode weights and σ', () => {
  const spiral = spiralMixture();
  const n = 40000;
  const modes = sampleModeIndices(spiral, n, 99);
  const indices = modes.dataSync();
  const counts = spiral.weights.map(() => 0);
  for (const k of indices) counts[k]++;
  // Each count is binomial(n, w): 5 standard deviations bound a false alarm below 1e-5 per mode.
  spiral.weights.forEach((w, k) => {
    const sd = Math.sqrt(n * w * (1 - w));
    assert.ok(Math.abs(counts[k] - n * w) < 5 * sd, `mode ${k}: ${counts[k]} vs ${n * w}`);
  });
  modes.dispose();

  const ring = ringMixture({ sigma: 0.05 });
  const samples = sampleMixture(ring, n, 7);
  const data = samples.dataSync();
  // Distance to the nearest centre: with σ = 0.05 and modes 0.77 apart, that is the own mode.
  let sumSquares = 0;
  for (let i = 0; i < n; i++) {
    let best = Infinity;
    for (const [x, y] of ring.means) best = Math.min(best, (data[2 * i] - x) ** 2 + (data[2 * i + 1] - y) ** 2);
    sumSquares += best;
  }
  // E‖x − μ‖² = 2σ²; the sample mean of 40 000 such values has a relative sd of 0.5 %.
  const sigmaEstimate = Math.sqrt(sumSquares / (2 * n));
  assert.ok(Math.abs(sigmaEstimate / 0.05 - 1) < 0.03, `σ estimate ${sigmaEstimate}`);
  samples.dispose();
});

test.run();

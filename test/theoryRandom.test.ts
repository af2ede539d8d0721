/**
 * The seeded generator and its samplers. Moment checks use a bound of 5 standard errors,
 * a two-sided false-alarm rate of about 6e−7 per check under the normal approximation.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createRng, sampleBinomial, sampleMultinomial, sampleNormal } from '../src/theory/random.ts';

const random = suite('seeded random numbers');

const SAMPLES = 20_000;
const STANDARD_ERRORS = 5;

function moments(values: number[]): { mean: number; variance: number } {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1);
  return { mean, variance };
}

/**
 * Checks the sample mean against μ within 5·σ/√n, and the sample variance against σ²
 * within 5·σ²·√((κ − 1)/n), κ the kurtosis (3 for a normal).
 */
function assertMoments(values: number[], mean: number, variance: number, kurtosis: number, label: string): void {
  const measured = moments(values);
  const meanBound = STANDARD_ERRORS * Math.sqrt(variance / values.length);
  const varianceBound = STANDARD_ERRORS * variance * Math.sqrt((kurtosis - 1) / values.length);
  assert.ok(Math.abs(measured.mean - mean) <= meanBound, `${label} mean ${measured.mean}, expected ${mean} ± ${meanBound}`);
  assert.ok(
    Math.abs(measured.variance - variance) <= varianceBound,
    `${label} variance ${measured.variance}, expected ${variance} ± ${varianceBound}`,
  );
}

function draw(count: number, sample: () => number): number[] {
  return Array.from({ length: count }, sample);
}

random('the same seed repeats, seed 0 included', () => {
  for (const seed of [0, 1, 2 ** 40 + 3]) {
    const first = createRng(seed);
    const second = createRng(seed);
    assert.equal(draw(5, () => first.next()), draw(5, () => second.next()));
  }
  assert.not.equal(draw(5, createRng(0).next), draw(5, createRng(1).next));
  assert.not.equal(draw(5, createRng(1).next), draw(5, createRng(2 ** 32 + 1).next));
});

random('uniform draws lie in [0, 1) with mean ½ and variance 1/12', () => {
  const rng = createRng(11);
  const values = draw(SAMPLES, () => rng.next());
  assert.ok(values.every((value) => value >= 0 && value < 1));
  // A uniform variable has kurtosis 9/5.
  assertMoments(values, 0.5, 1 / 12, 1.8, 'uniform');
});

random('normal draws have mean 0 and variance 1', () => {
  const rng = createRng(12);
  assertMoments(draw(SAMPLES, () => sampleNormal(rng)), 0, 1, 3, 'normal');
});

random('binomial moments are np and np(1 − p)', () => {
  const rng = createRng(13);
  // Kurtosis of a binomial: 3 + (1 − 6p(1 − p))/(np(1 − p)).
  for (const [n, p] of [[20, 0.3], [64, 0.9], [2000, 0.5], [3, 0.01]] as const) {
    const variance = n * p * (1 - p);
    const kurtosis = 3 + (1 - 6 * p * (1 - p)) / variance;
    assertMoments(draw(SAMPLES, () => sampleBinomial(rng, n, p)), n * p, variance, kurtosis, `Binomial(${n}, ${p})`);
  }
  assert.is(sampleBinomial(rng, 10, 0), 0);
  assert.is(sampleBinomial(rng, 10, 1), 10);
});

random('multinomial counts sum to N with means N·p_k', () => {
  const rng = createRng(14);
  const probabilities = [0.2, 0, 0.5, 0.3];
  const n = 50;
  const draws = draw(SAMPLES / 4, () => 0).map(() => sampleMultinomial(rng, n, probabilities));
  assert.ok(draws.every((counts) => counts.reduce((sum, c) => sum + c, 0) === n));
  assert.ok(draws.every((counts) => counts[1] === 0), 'a category of probability 0 stays empty');
  probabilities.forEach((p, k) => {
    if (p === 0) return;
    const variance = n * p * (1 - p);
    const kurtosis = 3 + (1 - 6 * p * (1 - p)) / variance;
    assertMoments(draws.map((counts) => counts[k]), n * p, variance, kurtosis, `count ${k}`);
  });
});

random('samplers reject bad arguments, naming them', () => {
  const rng = createRng(1);
  assert.throws(() => createRng(0.5), /seed/);
  assert.throws(() => sampleBinomial(rng, -1, 0.5), /trials/);
  assert.throws(() => sampleBinomial(rng, 4, 1.5), /p must be in/);
  assert.throws(() => sampleMultinomial(rng, 4, [0.5, 0.6]), /sum to 1/);
  assert.throws(() => sampleMultinomial(rng, 4, [-0.5, 1.5]), /probabilities\[0\]/);
});

random.run();

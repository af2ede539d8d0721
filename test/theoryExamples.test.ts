/**
 * Worked examples of the theory with constants derived in the comments: the class
 * divergence of one class against ten, the two-mode slopes, MM-nsat on the fault case's
 * batch, and D*.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { classDivergence } from '../src/theory/classDivergence.ts';
import { jsDivergence, klDivergence } from '../src/theory/divergences.ts';
import { optimalDiscriminator } from '../src/theory/optimalDiscriminator.ts';
import { mmNsatFactor, importanceWeights, mmNsatDeviationFromNs } from '../src/theory/batchWeighting.ts';
import { twoModeSlope } from '../src/theory/modeShares.ts';
import { sampleWeights } from '../src/theory/scalingFactor.ts';

const examples = suite('theory examples');

function assertNear(actual: number, expected: number, absolute: number, label: string): void {
  assert.ok(Math.abs(actual - expected) <= absolute, `${label}: actual ${actual}, expected ${expected}`);
}

examples('one class against ten balanced scores 0.758', () => {
  // m = (0.55, 0.05 × 9): KL₂(p‖m) = 0.1·log₂(0.1/0.55) + 0.9·log₂ 2 = 0.654056,
  // KL₂(q‖m) = log₂(1/0.55) = 0.862496, half their sum 0.758276.
  const uniform = new Array<number>(10).fill(0.1);
  const single = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  assertNear(classDivergence(uniform, single), 0.758276, 1e-6, 'D_JS^CD');
});

examples('JS and KL of two coin flips', () => {
  // KL((½,½)‖(¼,¾)) = ½ ln 2 + ½ ln(2/3) = ½ ln(4/3).
  assertNear(klDivergence([0.5, 0.5], [0.25, 0.75]), 0.5 * Math.log(4 / 3), 1e-15, 'KL');
  assertNear(jsDivergence([1, 0], [0, 1]), Math.LN2, 1e-15, 'JS of disjoint');
  assert.is(klDivergence([0.5, 0.5], [1, 0]), Infinity);
});

examples('two-mode slopes at the balanced point', () => {
  const r = [0.5, 0.5];
  // s(½), s′(½): NS ½, −1 → 1.5; MM ½, 1 → 0.5; hinge 1, 0 → 1; ls 1, −4 → 2.
  assertNear(twoModeSlope('ns', r), 1.5, 1e-15, 'ns');
  assertNear(twoModeSlope('mm', r), 0.5, 1e-15, 'mm');
  assertNear(twoModeSlope('hinge', r), 1, 1e-15, 'hinge');
  assertNear(twoModeSlope('ns+mm(0.5)', r), 1, 1e-15, 'ns+mm(0.5)');
  assertNear(twoModeSlope('ls', r), 2, 1e-15, 'ls');
  // ns+mm(a): s = ½, s′ = 2a − 1, so the slope is 1.5 − a.
  for (const a of [0, 0.2, 0.75, 1]) assertNear(twoModeSlope(`ns+mm(${a})`, r), 1.5 - a, 1e-15, `ns+mm(${a})`);
  // (1 − D)²: s = ¼, s′ = −1 → 2; D²: s = ¼, s′ = 1 → 0; √(1 − D): 1 + ¼ = 1.25.
  assertNear(twoModeSlope('ns-exp-2', r), 2, 1e-15, 'ns-exp-2');
  assertNear(twoModeSlope('mm-nsat-exp-2', r), 0, 1e-15, 'mm-nsat-exp-2');
  assertNear(twoModeSlope('ns-exp-0.5', r), 1.25, 1e-15, 'ns-exp-0.5');
  // MM-nsat and importance-weighted NS keep MM's relative weights.
  assertNear(twoModeSlope('mm-nsat', r), 0.5, 1e-15, 'mm-nsat');
  assertNear(twoModeSlope('iw-ns', r), 0.5, 1e-15, 'iw-ns');
  // ns+mm-nsat(a) with R = ½/(ε_R + ½) ≈ 1 behaves like ns+mm(a).
  assertNear(twoModeSlope('ns+mm-nsat(0.3)', r), 1.2, 1e-7, 'ns+mm-nsat(0.3)');
  // The slope does not depend on r.
  assertNear(twoModeSlope('ns', [0.1, 0.9]), 1.5, 1e-15, 'ns with r = (0.1, 0.9)');
});

examples('MM-nsat on the batch D_p = (0.5, 0.75)', () => {
  // D̄_p = 0.625, R = 0.375/0.625 = 0.6; weights R·D_p = (0.3, 0.45); NS (0.5, 0.25).
  const dps = [0.5, 0.75];
  assertNear(mmNsatFactor(dps, 0), 0.6, 1e-15, 'R');
  const weights = sampleWeights('mm-nsat', dps, { rescaleEpsilon: 0 });
  assertNear(weights[0], 0.3, 1e-15, 'w0');
  assertNear(weights[1], 0.45, 1e-15, 'w1');
  // Differences from NS: (D_p − D̄_p)/D̄_p = (−0.2, 0.2), summing to zero.
  const deviation = mmNsatDeviationFromNs(dps, 0);
  assertNear(deviation[0], -0.2, 1e-15, 'deviation 0');
  assertNear(deviation[1], 0.2, 1e-15, 'deviation 1');
});

examples('importance weights are normalised odds', () => {
  // Odds 1 and 3 normalise to ¼ and ¾.
  const weights = importanceWeights([0.5, 0.75]);
  assertNear(weights[0], 0.25, 1e-15, 'w0');
  assertNear(weights[1], 0.75, 1e-15, 'w1');
  assert.throws(() => importanceWeights([0, 0]), /at least one D_p > 0/);
});

examples('D* on three points, one without mass', () => {
  assert.equal(optimalDiscriminator([0.2, 0, 0], [0.6, 0.4, 0]), [0.25, 0, 0.5]);
});

examples.run();

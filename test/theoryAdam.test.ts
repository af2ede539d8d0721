/**
 * Worked Adam examples: one scalar with lr 1e−3, β1 0.9 and β2 0.999, where the place of ε
 * and the bias correction change the first steps, and the setting of figure 3 of "Sample
 * weighting as an explanation for mode collapse in generative adversarial networks".
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { adamConstantStep, adamTrajectory } from '../src/theory/adam.ts';
import { adamApproximation, adamRegime } from '../src/theory/adamRegimes.ts';

const adam = suite('Adam examples');

const ADAM_CASE = { alpha: 1e-3, beta1: 0.9, beta2: 0.999 };

/** |actual − expected| ≤ relative·|expected|, with a message that shows both. */
function assertRelative(actual: number, expected: number, relative: number, label: string): void {
  assert.ok(
    Math.abs(actual - expected) <= relative * Math.abs(expected),
    `${label}: actual ${actual}, expected ${expected}`,
  );
}

adam('g = ε = 1e−7: first step moves θ to −5.0e−4', () => {
  // Step 1 has m̂ = g and v̂ = g², so θ1 = −lr·g/(|g| + ε) = −1e−3·½.
  const { theta } = adamTrajectory({ ...ADAM_CASE, gradients: [1e-7], steps: 1, epsilon: 1e-7 });
  assertRelative(theta[0], -5.0e-4, 1e-12, 'θ1');
});

adam('g = 1e−7 with ε = 1e−8: θ1 = −9.0909e−4', () => {
  // −1e−3·1e−7/(1e−7 + 1e−8) = −1e−3/1.1.
  const { theta } = adamTrajectory({ ...ADAM_CASE, gradients: [1e-7], steps: 1, epsilon: 1e-8 });
  assertRelative(theta[0], -9.0909e-4, 1e-5, 'θ1');
});

adam('gradients 1, −1, 0.5 with bias correction', () => {
  const { theta } = adamTrajectory({ ...ADAM_CASE, gradients: [1, -1, 0.5], steps: 3, epsilon: 1e-7 });
  assertRelative(theta[0], -9.9999990e-4, 1e-8, 'θ1');
  assertRelative(theta[1], -9.4736833e-4, 1e-8, 'θ2');
  assertRelative(theta[2], -1.12209384e-3, 1e-8, 'θ3');
});

adam('gradients 1, −1, 0.5 without bias correction', () => {
  const { theta } = adamTrajectory({ ...ADAM_CASE, gradients: [1, -1, 0.5], steps: 3, epsilon: 1e-7, biasCorrection: false });
  assertRelative(theta[0], -3.16227e-3, 1e-5, 'θ1');
  assertRelative(theta[1], -2.93861e-3, 1e-5, 'θ2');
  assertRelative(theta[2], -3.80354e-3, 1e-5, 'θ3');
});

adam('constant step ignores |g| until it nears ε', () => {
  assert.is(adamConstantStep(-3, 0.5, 0), -0.5);
  assert.is(adamConstantStep(0, 0.5, 1e-8), 0);
  // |g| = ε halves the step.
  assertRelative(adamConstantStep(1e-8, 1, 1e-8), 0.5, 1e-15, 'g = ε');
});

adam('figure 3 setting is in the vanishing regime, rate −0.0005', () => {
  // a = −0.001 lies between ln 0.99 ≈ −0.01005 and ½ ln 0.999 ≈ −0.00050025.
  const { regime, growthRate } = adamRegime(-0.001, 0.99, 0.999);
  assert.is(regime, 'vanishing');
  assertRelative(growthRate, -0.001 - 0.5 * Math.log(0.999), 1e-12, 'rate');
  assertRelative(growthRate, -0.00049975, 1e-4, 'rate');
});

adam('figure 3: the approximation stays within 1 % of the recurrence', () => {
  const setting = { alpha: 1, beta1: 0.99, beta2: 0.999, epsilon: 1e-8, steps: 5000 };
  const { step } = adamTrajectory({ ...setting, gradients: (t) => Math.exp(-0.001 * t) });
  const approximate = adamApproximation({ ...setting, g0: 1, a: -0.001 });

  for (let t = 1; t <= setting.steps; t++) {
    assertRelative(approximate[t - 1], step[t - 1], 0.01, `step ${t}`);
  }
  // Steps shrink by about e^{−0.0005·5000} ≈ 0.08 although Adam normalises.
  assert.ok(step[setting.steps - 1] < 0.1, `final step ${step[setting.steps - 1]}`);
});

adam('regime boundaries', () => {
  assert.is(adamRegime(0, 0.9, 0.999).regime, 'constant');
  assert.is(adamRegime(0, 0.9, 0.999).growthRate, 0);
  assert.is(adamRegime(-1, 0.9, 0.999).regime, 'geometric');
  assertRelative(adamRegime(-1, 0.9, 0.999).growthRate, Math.log(0.9 / Math.sqrt(0.999)), 1e-12, 'geometric rate');
  // β1 = 0.99 > √0.9 ≈ 0.949: between ½ ln 0.9 and ln 0.99 the steps grow at ln β1 − a.
  const unusual = adamRegime(-0.03, 0.99, 0.9);
  assert.is(unusual.regime, 'beta1-decay');
  assertRelative(unusual.growthRate, Math.log(0.99) + 0.03, 1e-12, 'beta1-decay rate');
  // β = 0 keeps no history, so the gradient always wins.
  assert.is(adamRegime(-5, 0, 0).regime, 'constant');
});

adam.run();

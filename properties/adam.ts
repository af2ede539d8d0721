/**
 * Claims C7 and C8: Adam's step for a constant gradient (equation 9), and its four
 * regimes for g_t = g0·exp(a·t) (supplement G), checked against the exact recurrence.
 */
import fc from 'fast-check';
import type { ClaimProperty } from './claimProperty.ts';
import { invalidBetaArbitrary } from './arbitraries.ts';
import { assertRejects } from './badInput.ts';
import { logGrowthRate } from './numerics.ts';
import { assertClose, GROWTH_RATE_ABSOLUTE, type Tolerance } from './tolerances.ts';
import { adamConstantStep, adamTrajectory } from '../src/theory/adam.ts';
import { adamApproximation, adamRegime, type AdamRegime } from '../src/theory/adamRegimes.ts';

/**
 * The exact recurrence accumulates one rounding per step in m_t, so m̂_t = g is exact to
 * about t ulps; 1e−9 covers the 200 steps run here with a wide margin.
 */
const CONSTANT_STEP: Tolerance = { relative: 1e-9, absolute: 0 };

/**
 * Every exponent that competes in m_t or √v_t is at least GAP apart, so the slower term's
 * share decays like e^{−GAP·t}: from t = FIT_START = 10/GAP it is below e^{−10} ≈ 5e−5
 * and moves the fitted slope by far less than GROWTH_RATE_ABSOLUTE. The window ends at
 * FIT_END; the ranges below keep e^{2a·t}, β1^t and β2^t inside float64 up to it.
 */
const GAP = 0.005;
const FIT_START = 2000;
const FIT_END = 3000;
const A_MIN = -0.1;
const A_MAX = 0.05;

interface RegimeCase {
  regime: AdamRegime;
  a: number;
  beta1: number;
  beta2: number;
}

const fraction = fc.double({ min: 0, max: 1, noNaN: true });
const between = (low: number, high: number, u: number) => low + u * (high - low);

/** One case per regime, built so that every boundary is at least GAP away. */
const regimeCaseArbitrary: fc.Arbitrary<RegimeCase> = fc.oneof(
  fc.tuple(fraction, fraction, fraction).map(([u1, u2, u3]) => {
    const beta1 = between(0.8, 0.995, u1);
    const beta2 = between(0.9, 0.9999, u2);
    const low = Math.max(Math.log(beta1), 0.5 * Math.log(beta2)) + GAP;
    return { regime: 'constant' as const, a: between(low, A_MAX, u3), beta1, beta2 };
  }),
  fc.tuple(fraction, fraction, fraction).map(([u1, u2, u3]) => {
    const beta1 = between(0.91, 0.995, u1);
    const beta2 = between(0.9, 0.9999, u2);
    const high = Math.min(Math.log(beta1), 0.5 * Math.log(beta2)) - GAP;
    return { regime: 'geometric' as const, a: between(A_MIN, high, u3), beta1, beta2 };
  }),
  fc.tuple(fraction, fraction, fraction).map(([u1, u2, u3]) => {
    const beta2 = between(0.9, 0.9999, u1);
    const halfLogBeta2 = 0.5 * Math.log(beta2);
    const logBeta1 = between(-0.09, halfLogBeta2 - 2 * GAP, u2);
    const a = between(logBeta1 + GAP, halfLogBeta2 - GAP, u3);
    return { regime: 'vanishing' as const, a, beta1: Math.exp(logBeta1), beta2 };
  }),
  fc.tuple(fraction, fraction, fraction).map(([u1, u2, u3]) => {
    const beta2 = between(0.9, 0.97, u1);
    const halfLogBeta2 = 0.5 * Math.log(beta2);
    const logBeta1 = between(halfLogBeta2 + 2 * GAP, -0.001, u2);
    const a = between(halfLogBeta2 + GAP, logBeta1 - GAP, u3);
    return { regime: 'beta1-decay' as const, a, beta1: Math.exp(logBeta1), beta2 };
  }),
);

const signedGradientArbitrary = fc
  .tuple(fc.double({ min: -10, max: 6, noNaN: true }), fc.boolean())
  .map(([exponent, negative]) => (negative ? -1 : 1) * 10 ** exponent);

const betaArbitrary = fc.double({ min: 0, max: 0.9999, noNaN: true });
const epsilonArbitrary = fc.oneof(fc.constant(0), fc.constant(1e-8), fc.constant(1e-7), fc.double({ min: 0, max: 1e-3, noNaN: true }));

export const adamProperties: ClaimProperty[] = [
  {
    claim: 'C7',
    name: 'constant g: every step is α·sgn(g)/(1 + ε/|g|)',
    property: () =>
      fc.property(
        signedGradientArbitrary,
        betaArbitrary,
        betaArbitrary,
        epsilonArbitrary,
        fc.double({ min: 1e-6, max: 10, noNaN: true }),
        fc.integer({ min: 1, max: 200 }),
        (g, beta1, beta2, epsilon, alpha, steps) => {
          const expected = adamConstantStep(g, alpha, epsilon);

          const { step } = adamTrajectory({ gradients: () => g, steps, alpha, beta1, beta2, epsilon });

          step.forEach((value, i) => assertClose(`step ${i + 1}`, value, expected, CONSTANT_STEP));
        },
      ),
  },
  {
    claim: 'C7',
    name: 'first step is α·g/(|g| + ε) whatever follows',
    property: () =>
      fc.property(
        signedGradientArbitrary,
        fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { maxLength: 5 }),
        betaArbitrary,
        betaArbitrary,
        epsilonArbitrary,
        (g, later, beta1, beta2, epsilon) => {
          const alpha = 1e-3;
          const { step } = adamTrajectory({ gradients: [g, ...later], steps: 1 + later.length, alpha, beta1, beta2, epsilon });

          assertClose('first step', step[0], (alpha * g) / (Math.abs(g) + epsilon), CONSTANT_STEP);
        },
      ),
  },
  {
    claim: 'C8',
    name: 'g_t = g0·e^{a t}: fitted log-step slope of the exact recurrence equals the regime\'s rate',
    property: () =>
      fc.property(regimeCaseArbitrary, signedGradientArbitrary, (c, g0) => {
        const predicted = adamRegime(c.a, c.beta1, c.beta2);
        const { step } = adamTrajectory({
          gradients: (t) => g0 * Math.exp(c.a * t),
          steps: FIT_END,
          alpha: 1,
          beta1: c.beta1,
          beta2: c.beta2,
          epsilon: 0, // the regimes assume ε negligible next to √v̂
        });

        const measured = logGrowthRate(step, FIT_START, FIT_END);

        if (predicted.regime !== c.regime) {
          throw new Error(`a = ${c.a}, β1 = ${c.beta1}, β2 = ${c.beta2}: regime ${predicted.regime}, built as ${c.regime}`);
        }
        assertClose(`${c.regime} rate`, measured, predicted.growthRate, { relative: 0, absolute: GROWTH_RATE_ABSOLUTE });
      }),
  },
  {
    claim: 'C8',
    name: 'the integral approximation has the same late log-step slope',
    property: () =>
      fc.property(regimeCaseArbitrary, (c) => {
        const predicted = adamRegime(c.a, c.beta1, c.beta2);
        const steps = adamApproximation({ g0: 1, a: c.a, steps: FIT_END, alpha: 1, beta1: c.beta1, beta2: c.beta2, epsilon: 0 });

        const measured = logGrowthRate(steps, FIT_START, FIT_END);

        assertClose(`${c.regime} rate`, measured, predicted.growthRate, { relative: 0, absolute: GROWTH_RATE_ABSOLUTE });
      }),
  },
  {
    claim: 'C8',
    name: 'Adam functions reject β outside [0, 1) and steps ≤ 0, naming them',
    property: () =>
      fc.property(invalidBetaArbitrary, fc.integer({ min: -5, max: 0 }), (beta, steps) => {
        const valid = { gradients: [1, 1], steps: 2, alpha: 1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
        const approximation = { g0: 1, a: -0.001, steps: 2, alpha: 1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };

        assertRejects(() => adamTrajectory({ ...valid, beta1: beta }), 'beta1');
        assertRejects(() => adamTrajectory({ ...valid, beta2: beta }), 'beta2');
        assertRejects(() => adamTrajectory({ ...valid, steps }), 'steps');
        assertRejects(() => adamApproximation({ ...approximation, beta1: beta }), 'beta1');
        assertRejects(() => adamApproximation({ ...approximation, beta2: beta }), 'beta2');
        assertRejects(() => adamApproximation({ ...approximation, steps }), 'steps');
        assertRejects(() => adamRegime(-0.001, beta, 0.999), 'beta1');
        assertRejects(() => adamRegime(-0.001, 0.9, beta), 'beta2');
        assertRejects(() => adamConstantStep(1, 1, -Math.abs(beta) - 1), 'epsilon');
      }),
  },
];

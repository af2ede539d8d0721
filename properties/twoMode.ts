/**
 * The mode-share model (section 2.3 and supplement Q). The closed-form slope of a mode's
 * update share at the balanced point is checked against finite differences of the shares
 * and against the growth of a small imbalance under the drift, for every cost family.
 * These guard the model behind the two-mode simulation, so they carry claim "extra".
 */
import fc from 'fast-check';
import type { ClaimProperty } from './claimProperty.ts';
import { distributionArbitrary, everyCostName, nonProbabilityArbitrary } from './arbitraries.ts';
import { assertRejects } from './badInput.ts';
import { assertAllClose, assertClose, FINITE_DIFFERENCE, ROUNDING } from './tolerances.ts';
import { modeShares, twoModeSlope } from '../src/theory/modeShares.ts';
import { twoModeDrift, twoModeStochastic } from '../src/theory/modeDynamics.ts';

const COST_NAMES = everyCostName();

/**
 * Relative step in w for the finite-difference slope. The shares vary on the scale of the
 * smallest r_k (through D_p,k = r_k/(r_k + w_k)), so the step is MASS_STEP·min_k r_k:
 * the truncation error then stays near MASS_STEP² whatever the r.
 */
const MASS_STEP = 1e-5;

/** Returns d(share of mode `first`)/dw as mass moves from mode `second` to it, by central differences. */
function finiteDifferenceSlope(cost: string, r: number[], first: number, second: number): number {
  const step = MASS_STEP * Math.min(...r);
  const shifted = (delta: number) => {
    const w = r.slice();
    w[first] += delta;
    w[second] -= delta;
    return modeShares(cost, w, r)[first];
  };
  return (shifted(step) - shifted(-step)) / (2 * step);
}

const twoModeRealArbitrary = fc.double({ min: 0.05, max: 0.95, noNaN: true }).map((r1) => [r1, 1 - r1]);

/** Drift settings for the stability check: imbalance δ, rate η, Euler step Δt, step count. */
const IMBALANCE = 1e-6;
const DRIFT = { eta: 1, dt: 0.01, steps: 200 };
/**
 * The imbalance grows by a factor 1 + η·Δt·(slope − 1) per Euler step while it is small.
 * It stays below δ·e² ≈ 1e−5, where the second-order terms move the fitted rate by about 1e−5.
 */
const DRIFT_RATE = { relative: 0, absolute: 1e-4 };

export const twoModeProperties: ClaimProperty[] = [
  {
    claim: 'extra',
    name: 'share slope at w = r equals 1 − s′(½)/(4·s(½)) for every cost, any r',
    numRuns: 20,
    property: () =>
      fc.property(twoModeRealArbitrary, (r) => {
        for (const cost of COST_NAMES) {
          assertClose(`${cost} at r = [${r}]`, finiteDifferenceSlope(cost, r, 0, 1), twoModeSlope(cost, r), FINITE_DIFFERENCE);
        }
      }),
  },
  {
    claim: 'extra',
    name: 'with K modes, moving mass between any two has the same slope',
    numRuns: 20,
    property: () =>
      fc.property(distributionArbitrary(3, 5, { positive: true }), fc.constantFrom(...COST_NAMES), (r, cost) => {
        const expected = twoModeSlope(cost, r);
        for (let first = 0; first < r.length; first++) {
          const second = (first + 1) % r.length;
          assertClose(`${cost}, mode ${first} from ${second}`, finiteDifferenceSlope(cost, r, first, second), expected, FINITE_DIFFERENCE);
        }
      }),
  },
  {
    claim: 'extra',
    name: 'a small imbalance grows under the drift at the rate the slope predicts',
    numRuns: 30,
    property: () =>
      fc.property(twoModeRealArbitrary, fc.constantFrom(...COST_NAMES), (r, cost) => {
        const w0 = [r[0] + IMBALANCE, r[1] - IMBALANCE];
        const { w } = twoModeDrift({ cost, r, w0, ...DRIFT });

        const finalImbalance = w[w.length - 1][0] - r[0];
        const measured = Math.log(finalImbalance / IMBALANCE) / (DRIFT.steps * DRIFT.dt);
        // The exact growth of the linearised Euler map, per unit time.
        const predicted = Math.log(1 + DRIFT.eta * DRIFT.dt * (twoModeSlope(cost, r) - 1)) / DRIFT.dt;

        assertClose(`${cost} imbalance growth rate`, measured, predicted, DRIFT_RATE);
      }),
  },
  {
    claim: 'extra',
    name: 'MM shares ∝ w·r/(r + w) and NS shares ∝ w²/(r + w)',
    property: () =>
      fc.property(fc.integer({ min: 2, max: 6 }).chain((n) => fc.tuple(distributionArbitrary(n, n, { positive: true }), distributionArbitrary(n, n))), ([r, w]) => {
        const normalise = (values: number[]) => {
          const total = values.reduce((sum, value) => sum + value, 0);
          return values.map((value) => value / total);
        };
        const mm = normalise(w.map((mass, k) => (mass * r[k]) / (r[k] + mass)));
        const ns = normalise(w.map((mass, k) => (mass * mass) / (r[k] + mass)));

        assertAllClose('MM shares', modeShares('mm', w, r), mm, ROUNDING);
        assertAllClose('NS shares', modeShares('ns', w, r), ns, ROUNDING);
      }),
  },
  {
    claim: 'extra',
    name: 'mode functions reject bad probabilities and batch sizes, naming them',
    property: () =>
      fc.property(nonProbabilityArbitrary, fc.integer({ min: -3, max: 0 }), (bad, batchSize) => {
        const common = { cost: 'ns', r: [0.5, 0.5], w0: [0.4, 0.6], eta: 0.1, steps: 3 };

        assertRejects(() => modeShares('ns', [0.5, 0.5], [bad, 0.5]), 'r');
        assertRejects(() => modeShares('ns', [bad, 0.5], [0.5, 0.5]), 'w');
        assertRejects(() => modeShares('ns', [0.5, 0.5], [0.3, 0.3]), 'r');
        assertRejects(() => twoModeSlope('ns', [bad, 0.5]), 'r');
        assertRejects(() => twoModeStochastic({ ...common, batchSize, seed: 1 }), 'batchSize');
        assertRejects(() => twoModeStochastic({ ...common, w0: [bad, 0.6], batchSize: 8, seed: 1 }), 'w0');
        assertRejects(() => twoModeDrift({ ...common, r: [0.5, bad], dt: 0.1 }), 'r');
      }),
  },
];

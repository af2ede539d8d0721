/**
 * Dynamics of the mode-share model: the generator's masses w_k drift toward the update
 * shares. The deterministic version integrates dw_k/dt = η·(u_k/Σ_j u_j − w_k) with Euler
 * steps; the finite-batch version draws each batch's counts from Multinomial(N, w) and
 * moves toward that batch's shares, so noise can carry a mode away even where the drift is
 * neutral. Both work for any number of modes K ≥ 2.
 */
import { parseCostName, type CostSpec } from './costNames.ts';
import { modeDiscriminatorOutputs, modeShares, normalisedModeWeights, assertModeProbabilities } from './modeShares.ts';
import { createRng, sampleMultinomial } from './random.ts';
import { RESCALE_EPSILON } from './scalingFactor.ts';
import {
  assertFiniteNumber,
  assertInRange,
  assertPositiveInteger,
  assertProbabilityVector,
  assertSameLength,
} from './validate.ts';

/** A recorded run: w[i] is the mass vector at time t[i] (t[0] = 0 is the start). */
export interface ModeTrajectory {
  t: number[];
  w: number[][];
}

interface CommonOptions {
  cost: string | CostSpec;
  /** Real mode probabilities, each > 0. */
  r: number[];
  /** Starting generator masses. */
  w0: number[];
  /** Rate η of the drift toward the shares. */
  eta: number;
  steps: number;
  /** ε_R of batch factors; defaults to RESCALE_EPSILON. */
  rescaleEpsilon?: number;
  /** Keep every k-th state (default 1); the final state is always kept. */
  recordEvery?: number;
}

export interface TwoModeDriftOptions extends CommonOptions {
  /** Euler step Δt; w_{n+1} = w_n + η·Δt·(share − w_n), so η·Δt must lie in (0, 1]. */
  dt: number;
}

export interface TwoModeStochasticOptions extends CommonOptions {
  /** Batch size N of the multinomial draw. */
  batchSize: number;
  seed: number;
}

/**
 * Clips negative masses to 0 and renormalises. Shares are never negative except for a
 * factor that turns negative (ls), whose step could otherwise leave the simplex.
 */
function projectToSimplex(w: number[]): number[] {
  let total = 0;
  for (let k = 0; k < w.length; k++) {
    w[k] = Math.max(0, w[k]);
    total += w[k];
  }
  for (let k = 0; k < w.length; k++) w[k] /= total;
  return w;
}

/** Returns w + rate·(shares − w), projected onto the simplex; writes into a new array. */
function stepToward(w: number[], shares: number[], rate: number): number[] {
  const next = new Array<number>(w.length);
  for (let k = 0; k < w.length; k++) next[k] = w[k] + rate * (shares[k] - w[k]);
  return projectToSimplex(next);
}

function checkCommon(fn: string, options: CommonOptions): { spec: CostSpec; recordEvery: number } {
  const spec = typeof options.cost === 'string' ? parseCostName(options.cost) : options.cost;
  assertModeProbabilities(fn, options.r);
  assertProbabilityVector(fn, 'w0', options.w0);
  assertSameLength(fn, ['w0', 'r'], options.w0, options.r);
  assertFiniteNumber(fn, 'eta', options.eta);
  assertPositiveInteger(fn, 'steps', options.steps);
  assertFiniteNumber(fn, 'rescaleEpsilon', options.rescaleEpsilon ?? RESCALE_EPSILON);
  const recordEvery = options.recordEvery ?? 1;
  assertPositiveInteger(fn, 'recordEvery', recordEvery);
  return { spec, recordEvery };
}

function record(trajectory: ModeTrajectory, step: number, w: number[], recordEvery: number, last: number): void {
  if (step % recordEvery === 0 || step === last) {
    trajectory.t.push(step);
    trajectory.w.push(w.slice());
  }
}

/**
 * Integrates dw/dt = η·(u/Σu − w) with `steps` Euler steps of size Δt (deterministic
 * drift, the infinite-batch limit). t is in units of Δt·steps: t[i] = step·Δt.
 */
export function twoModeDrift(options: TwoModeDriftOptions): ModeTrajectory {
  const fn = 'twoModeDrift';
  const { spec, recordEvery } = checkCommon(fn, options);
  assertInRange(fn, 'eta·dt', options.eta * options.dt, 0, 1, '(]');
  const rate = options.eta * options.dt;
  const weightOptions = { rescaleEpsilon: options.rescaleEpsilon };

  const trajectory: ModeTrajectory = { t: [], w: [] };
  let w = options.w0.slice();
  record(trajectory, 0, w, recordEvery, options.steps);
  for (let step = 1; step <= options.steps; step++) {
    const shares = modeShares(spec, w, options.r, weightOptions);
    w = stepToward(w, shares, rate);
    record(trajectory, step, w, recordEvery, options.steps);
  }
  trajectory.t = trajectory.t.map((step) => step * options.dt);
  return trajectory;
}

/**
 * Runs the finite-batch model: each step draws counts n ~ Multinomial(N, w), weights mode k
 * by n_k·s_k with the batch's own factor R, and moves w ← w + η·(batch share − w). The
 * discriminator is optimal for the current w. t counts steps.
 */
export function twoModeStochastic(options: TwoModeStochasticOptions): ModeTrajectory & { seed: number } {
  const fn = 'twoModeStochastic';
  const { spec, recordEvery } = checkCommon(fn, options);
  assertInRange(fn, 'eta', options.eta, 0, 1, '(]');
  assertPositiveInteger(fn, 'batchSize', options.batchSize);
  const rng = createRng(options.seed);
  const weightOptions = { rescaleEpsilon: options.rescaleEpsilon };

  const trajectory: ModeTrajectory = { t: [], w: [] };
  let w = options.w0.slice();
  record(trajectory, 0, w, recordEvery, options.steps);
  for (let step = 1; step <= options.steps; step++) {
    const counts = sampleMultinomial(rng, options.batchSize, w);
    const shares = normalisedModeWeights(spec, counts, modeDiscriminatorOutputs(w, options.r), weightOptions);
    // NOTE: a batch whose weights sum to ≤ 0 (possible only for ls) moves nothing.
    if (shares !== null) {
      w = stepToward(w, shares, options.eta);
    }
    record(trajectory, step, w, recordEvery, options.steps);
  }
  return { ...trajectory, seed: options.seed };
}

/**
 * Returns the first recorded time at which some mode's mass is below `threshold` (the
 * mode is dropped), or null if none is.
 */
export function dropTime(trajectory: ModeTrajectory, threshold: number): number | null {
  assertInRange('dropTime', 'threshold', threshold, 0, 1, '()');
  for (let i = 0; i < trajectory.t.length; i++) {
    if (trajectory.w[i].some((mass) => mass < threshold)) return trajectory.t[i];
  }
  return null;
}

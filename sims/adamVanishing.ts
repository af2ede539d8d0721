/**
 * Adam's steps for a gradient that decays like MM's saturating gradient, g_t = g0·exp(a·t)
 * (figure 3 and supplement G of "Sample weighting as an explanation for mode collapse in
 * generative adversarial networks"): the exact recurrence (equation 8) against the
 * integral approximation, the measured decay rate against a − ½ ln β2, and a map of the
 * measured log-step growth rate over (a, β2) that shows the regimes.
 */
import type { Figure, Section } from '../src/figures.ts';
import { adamTrajectory } from '../src/theory/adam.ts';
import { adamApproximation, adamRegime, type AdamRegime } from '../src/theory/adamRegimes.ts';
import { assertBeta, assertFiniteNumber, assertInRange, assertPositiveInteger } from '../src/theory/validate.ts';
import type { SimulationEvidence } from './evidence.ts';
import type { ProgressCallback } from './simulation.ts';
import { withDefaults, type SimulationWithDefaults } from './defaults.ts';

export interface AdamVanishingOptions {
  g0: number;
  /** Exponential rate a of the gradient per step. */
  a: number;
  alpha: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  steps: number;
  /** The decay rate is fitted over the last `fitFraction` of the steps. */
  fitFraction: number;
  /** Regime map: grid over a (columns) and β2 (rows) at fixed β1 = `beta1`. */
  mapA: [number, number];
  mapBeta2: [number, number];
  mapColumns: number;
  mapRows: number;
  /** Steps per map cell; the rate is fitted over the last `fitFraction` of them, with ε = 0. */
  mapSteps: number;
}

export interface AdamRegimeMap {
  a: number[];
  beta2: number[];
  /** measuredRate[row][column]: fitted d ln|step|/dt at β2 = beta2[row], a = a[column]. */
  measuredRate: number[][];
  predictedRate: number[][];
  regime: AdamRegime[][];
}

export interface AdamVanishingResult {
  options: AdamVanishingOptions;
  /** t = 1..steps. */
  t: number[];
  simulatedStep: number[];
  approximatedStep: number[];
  regime: AdamRegime;
  /** Least-squares slope of ln|step_t| over the fit window, per step. */
  measuredDecayRate: number;
  /** a − ½ ln β2, the vanishing regime's rate. */
  predictedDecayRate: number;
  /** The regime's asymptotic rate (equal to predictedDecayRate in the vanishing regime). */
  regimeGrowthRate: number;
  fitWindow: [number, number];
  map: AdamRegimeMap;
}

const DEFAULTS: AdamVanishingOptions = {
  g0: 1,
  a: -0.001,
  alpha: 1,
  beta1: 0.99,
  beta2: 0.999,
  epsilon: 1e-8,
  steps: 5000,
  fitFraction: 0.5,
  mapA: [-0.015, 0.002],
  mapBeta2: [0.99, 0.9999],
  mapColumns: 35,
  mapRows: 21,
  mapSteps: 3000,
};

/** Allowed absolute error of the measured decay rate, per step (about 2 % of the default 5e−4). */
export const DECAY_RATE_ABSOLUTE_TOLERANCE = 1e-5;

function linspace(low: number, high: number, count: number): number[] {
  if (count === 1) return [low];
  return Array.from({ length: count }, (_, i) => low + ((high - low) * i) / (count - 1));
}

/** Least-squares slope of ln|values[t − 1]| against t over t = first..last. */
function fittedLogSlope(values: number[], first: number, last: number): number {
  const count = last - first + 1;
  const meanT = (first + last) / 2;
  let meanLog = 0;
  for (let t = first; t <= last; t++) meanLog += Math.log(Math.abs(values[t - 1]));
  meanLog /= count;
  let covariance = 0;
  let variance = 0;
  for (let t = first; t <= last; t++) {
    covariance += (t - meanT) * (Math.log(Math.abs(values[t - 1])) - meanLog);
    variance += (t - meanT) ** 2;
  }
  return covariance / variance;
}

function fitWindow(steps: number, fraction: number): [number, number] {
  const first = Math.min(steps - 1, Math.max(1, Math.floor(steps * (1 - fraction)) + 1));
  return [first, steps];
}

function checkOptions(options: AdamVanishingOptions): void {
  const fn = 'adam-vanishing';
  assertFiniteNumber(fn, 'g0', options.g0);
  assertFiniteNumber(fn, 'a', options.a);
  assertBeta(fn, 'beta1', options.beta1);
  assertBeta(fn, 'beta2', options.beta2);
  assertPositiveInteger(fn, 'steps', options.steps);
  assertPositiveInteger(fn, 'mapSteps', options.mapSteps);
  assertPositiveInteger(fn, 'mapColumns', options.mapColumns);
  assertPositiveInteger(fn, 'mapRows', options.mapRows);
  assertInRange(fn, 'fitFraction', options.fitFraction, 0, 1, '(]');
  if (options.steps < 2 || options.mapSteps < 2) {
    throw new RangeError(`${fn}: steps and mapSteps must be at least 2 to fit a slope, received ${options.steps} and ${options.mapSteps}`);
  }
  options.mapBeta2.forEach((beta2, i) => assertBeta(fn, `mapBeta2[${i}]`, beta2));
  options.mapA.forEach((a, i) => assertFiniteNumber(fn, `mapA[${i}]`, a));
}

function regimeMap(options: AdamVanishingOptions, progress?: ProgressCallback): AdamRegimeMap {
  const a = linspace(options.mapA[0], options.mapA[1], options.mapColumns);
  const beta2 = linspace(options.mapBeta2[0], options.mapBeta2[1], options.mapRows);
  const [first, last] = fitWindow(options.mapSteps, options.fitFraction);
  const map: AdamRegimeMap = { a, beta2, measuredRate: [], predictedRate: [], regime: [] };

  beta2.forEach((rowBeta2, row) => {
    const measured: number[] = [];
    const predicted: number[] = [];
    const regimes: AdamRegime[] = [];
    for (const columnA of a) {
      // ε = 0: the regimes assume ε negligible next to √v̂, which decays too in this map.
      const { step } = adamTrajectory({
        gradients: (t) => Math.exp(columnA * t),
        steps: options.mapSteps,
        alpha: 1,
        beta1: options.beta1,
        beta2: rowBeta2,
        epsilon: 0,
      });
      measured.push(fittedLogSlope(step, first, last));
      const theory = adamRegime(columnA, options.beta1, rowBeta2);
      predicted.push(theory.growthRate);
      regimes.push(theory.regime);
    }
    map.measuredRate.push(measured);
    map.predictedRate.push(predicted);
    map.regime.push(regimes);
    progress?.((row + 1) / beta2.length, `regime map row ${row + 1} of ${beta2.length}`);
  });
  return map;
}

function run(partial: Partial<AdamVanishingOptions> = {}, progress?: ProgressCallback): AdamVanishingResult {
  const options = withDefaults(DEFAULTS, partial);
  checkOptions(options);
  const { g0, a, alpha, beta1, beta2, epsilon, steps } = options;

  const { step } = adamTrajectory({ gradients: (t) => g0 * Math.exp(a * t), steps, alpha, beta1, beta2, epsilon });
  const approximated = adamApproximation({ g0, a, steps, alpha, beta1, beta2, epsilon });
  const window = fitWindow(steps, options.fitFraction);
  const theory = adamRegime(a, beta1, beta2);

  return {
    options,
    t: Array.from({ length: steps }, (_, i) => i + 1),
    simulatedStep: step.map(Math.abs),
    approximatedStep: approximated.map(Math.abs),
    regime: theory.regime,
    measuredDecayRate: fittedLogSlope(step, window[0], window[1]),
    predictedDecayRate: a - 0.5 * Math.log(beta2),
    regimeGrowthRate: theory.growthRate,
    fitWindow: window,
    map: regimeMap(options, progress),
  };
}

function toSection(result: AdamVanishingResult): Section {
  const { options, map } = result;
  const [first, last] = result.fitWindow;
  const anchor = result.simulatedStep[last - 1];
  const halfLogBeta2 = map.beta2.map((beta2) => 0.5 * Math.log(beta2));
  const logBeta1 = Math.log(options.beta1);

  const steps: Figure = {
    kind: 'line',
    title: `Adam step size for g_t = ${options.g0}·exp(${options.a}·t), β1 = ${options.beta1}, β2 = ${options.beta2}, α = ${options.alpha}`,
    x: { title: 'Adam step t' },
    y: { title: '|Δθ_t| (log scale)', log: true },
    series: [
      { name: 'exact recurrence (eq. 8)', x: result.t, y: result.simulatedStep },
      { name: 'integral approximation', x: result.t, y: result.approximatedStep, dash: true },
      {
        name: 'slope a − ½ ln β2',
        x: [first, last],
        y: [anchor * Math.exp(-result.predictedDecayRate * (last - first)), anchor],
        dash: true,
      },
      { name: 'gradient g_t', x: result.t, y: result.t.map((t) => Math.abs(options.g0 * Math.exp(options.a * t))), dash: true },
    ],
  };
  const heatmap: Figure = {
    kind: 'heatmap',
    title: `Measured growth rate of |Δθ_t| over (a, β2), β1 = ${options.beta1}`,
    x: { title: 'gradient rate a per step', values: map.a },
    y: { title: 'Adam β2 (second-moment decay rate)', values: map.beta2 },
    z: map.measuredRate,
    colorbarTitle: 'd ln|Δθ_t|/dt per step',
  };
  const boundaries: Figure = {
    kind: 'line',
    title: 'Regime boundaries on the same axes: steps vanish left of a = ½ ln β2',
    x: { title: 'gradient rate a per step', range: [map.a[0], map.a[map.a.length - 1]] },
    y: { title: 'Adam β2 (second-moment decay rate)' },
    series: [{ name: 'a = ½ ln β2', x: halfLogBeta2, y: map.beta2 }],
    markers: [{ axis: 'x', value: logBeta1, label: `a = ln β1 = ${logBeta1.toFixed(4)}` }],
  };
  const row = map.beta2.reduce((best, beta2, i) => (Math.abs(beta2 - options.beta2) < Math.abs(map.beta2[best] - options.beta2) ? i : best), 0);
  const slice: Figure = {
    kind: 'line',
    title: `Measured against predicted growth rate at β2 = ${map.beta2[row].toPrecision(5)}`,
    x: { title: 'gradient rate a per step' },
    y: { title: 'd ln|Δθ_t|/dt per step' },
    series: [
      { name: 'measured (exact recurrence)', x: map.a, y: map.measuredRate[row], mode: 'markers' },
      { name: 'predicted by the regime', x: map.a, y: map.predictedRate[row], dash: true },
    ],
    markers: [
      { axis: 'x', value: logBeta1, label: 'ln β1' },
      { axis: 'x', value: 0.5 * Math.log(map.beta2[row]), label: '½ ln β2' },
    ],
  };

  return {
    id: 'adam-vanishing',
    title: 'Adam with an exponentially decaying gradient',
    text: [
      'When the discriminator\'s logits on generated samples grow linearly, MM\'s generator gradient decays like ' +
        'g_t = g0·exp(a·t). Adam normalises the step by √v̂_t, but v̂_t forgets at rate ln β2 per step, so for ' +
        'ln β1 < a < ½ ln β2 the step decays like exp((a − ½ ln β2)·t) instead of staying constant.',
      `Steps ${first}–${last} give a measured decay rate of ${result.measuredDecayRate.toExponential(4)} per step ` +
        `against a − ½ ln β2 = ${result.predictedDecayRate.toExponential(4)} (regime: ${result.regime}).`,
      `The map runs the exact recurrence for ${options.mapSteps} steps per cell with ε = 0 and fits the last ` +
        `${Math.round(options.fitFraction * 100)} % of them; near a boundary two terms compete and the fit lies between the two regimes' rates.`,
    ],
    figures: [steps, heatmap, boundaries, slice],
    tables: [
      {
        title: 'Decay rate of the step size',
        columns: ['quantity', 'value'],
        rows: [
          ['a', options.a],
          ['½ ln β2', 0.5 * Math.log(options.beta2)],
          ['ln β1', logBeta1],
          ['regime', result.regime],
          ['measured rate (per step)', result.measuredDecayRate],
          ['a − ½ ln β2', result.predictedDecayRate],
          ['|Δθ| at the last step', result.simulatedStep[result.simulatedStep.length - 1]],
        ],
      },
    ],
  };
}

/**
 * Returns the C8 evidence: the setting is in the vanishing regime and the measured decay
 * rate is within DECAY_RATE_ABSOLUTE_TOLERANCE of a − ½ ln β2.
 */
export function adamVanishingEvidence(result: AdamVanishingResult): SimulationEvidence {
  const error = Math.abs(result.measuredDecayRate - result.predictedDecayRate);
  return {
    claim: 'C8',
    simulation: 'adam-vanishing',
    statement:
      `For g_t = g0·exp(${result.options.a}·t) with β2 = ${result.options.beta2}, Adam's step decays at ` +
      `${result.measuredDecayRate.toExponential(4)} per step against a − ½ ln β2 = ${result.predictedDecayRate.toExponential(4)} ` +
      `(difference ${error.toExponential(2)}, tolerance ${DECAY_RATE_ABSOLUTE_TOLERANCE}; regime ${result.regime}).`,
    values: { measuredDecayRate: result.measuredDecayRate, predictedDecayRate: result.predictedDecayRate, difference: error },
    held: result.regime === 'vanishing' && error <= DECAY_RATE_ABSOLUTE_TOLERANCE,
  };
}

export const adamVanishingSimulation: SimulationWithDefaults<AdamVanishingOptions, AdamVanishingResult> = {
  name: 'adam-vanishing',
  description: 'Adam steps for g_t = g0·exp(a·t): exact against approximated, decay rate, regime map (figure 3).',
  defaults: DEFAULTS,
  run,
  toSection,
};

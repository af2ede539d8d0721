/**
 * Scaling factors s(D_p) of every generator cost, over D_p from near 0 to near 1 on a
 * logit-spaced grid, so that the asymptotes at both ends show (figure 2 of "Sample
 * weighting as an explanation for mode collapse in generative adversarial networks").
 */
import type { Figure, Section } from '../src/figures.ts';
import { logitToProbability, scalingFactor } from '../src/theory/scalingFactor.ts';
import { parseCostName } from '../src/theory/costNames.ts';
import { assertPositiveInteger, assertInRange } from '../src/theory/validate.ts';
import type { SimulationEvidence } from './evidence.ts';
import { withDefaults, type SimulationWithDefaults } from './defaults.ts';

export interface ScalingFactorsOptions {
  /** Cost names; mm-nsat, mm-unit and iw-ns share MM's per-sample factor, ns-unit NS's. */
  costs: string[];
  /** Grid points. */
  points: number;
  /** The grid spans D_l ∈ [−maxLogit, maxLogit]. */
  maxLogit: number;
}

export interface ScalingFactorsResult {
  options: ScalingFactorsOptions;
  /** D_l at each grid point. */
  logits: number[];
  /** D_p = σ(D_l) at each grid point. */
  dps: number[];
  factors: { cost: string; values: number[] }[];
}

const DEFAULTS: ScalingFactorsOptions = {
  costs: ['mm', 'ns', 'ns+mm(0.5)', 'ns-add-1', 'mm-nsat-add-1', 'ns-exp-2', 'mm-nsat-exp-2', 'ns-exp-0.5', 'hinge', 'ls'],
  points: 241,
  maxLogit: 12,
};

/** D_p values listed in the section's table. */
const TABLE_DPS = [1e-4, 0.01, 0.5, 0.99, 1 - 1e-4];

function run(partial: Partial<ScalingFactorsOptions> = {}): ScalingFactorsResult {
  const options = withDefaults(DEFAULTS, partial);
  const fn = 'scaling-factors';
  assertPositiveInteger(fn, 'points', options.points);
  assertInRange(fn, 'maxLogit', options.maxLogit, 0, 700, '(]');
  const specs = options.costs.map(parseCostName);

  const logits = Array.from({ length: options.points }, (_, i) =>
    options.points === 1 ? 0 : -options.maxLogit + (2 * options.maxLogit * i) / (options.points - 1),
  );
  const dps = logits.map(logitToProbability);
  const factors = specs.map((spec) => ({
    cost: spec.name,
    // ls's factor 1 − D_l comes from the logit itself, which the grid contains exactly.
    values: logits.map((logit, i) => (spec.family === 'ls' ? 1 - logit : scalingFactor(spec, dps[i]))),
  }));
  return { options, logits, dps, factors };
}

function toSection(result: ScalingFactorsResult): Section {
  const positive = result.factors.filter((factor) => factor.values.every((value) => value > 0));
  const logFigure: Figure = {
    kind: 'line',
    title: 'Scaling factors on log scales: MM saturates as D_p → 0, NS as D_p → 1',
    x: { title: 'D_l = ln(D_p/(1 − D_p)), the logit of D(G(z))' },
    y: { title: 's(D_p), dJ/dD_l = −s (log scale)', log: true },
    series: positive.map((factor) => ({ name: factor.cost, x: result.logits, y: factor.values })),
    markers: [{ axis: 'x', value: 0, label: 'D_p = ½' }],
  };
  const linearFigure: Figure = {
    kind: 'line',
    title: 'Scaling factors, linear scale (ls turns negative for D_l > 1)',
    x: { title: 'D_l = ln(D_p/(1 − D_p)), the logit of D(G(z))' },
    y: { title: 's(D_p), dJ/dD_l = −s' },
    series: result.factors.map((factor) => ({ name: factor.cost, x: result.logits, y: factor.values })),
  };
  return {
    id: 'scaling-factors',
    title: 'Scaling factors of the generator costs',
    text: [
      'Every generator cost has the gradient −∂D_l/∂θ·s(D_p): the costs differ only in the scaling factor s, ' +
        'which weights each generated sample by how real the discriminator finds it.',
      `The grid spans D_l from −${result.options.maxLogit} to ${result.options.maxLogit} in ${result.options.points} points, ` +
        'so D_p reaches within about e^−12 ≈ 6e−6 of 0 and 1. mm-nsat, mm-unit and iw-ns share MM\'s per-sample ' +
        'factor, and ns-unit NS\'s; their batch factors are a separate simulation.',
      'Costs whose factor falls as D_p rises (NS and its variants) upweight the samples the discriminator rejects; ' +
        'costs whose factor rises (MM and its variants) upweight the samples it accepts.',
    ],
    figures: [logFigure, linearFigure],
    tables: [
      {
        title: 's(D_p) at selected D_p',
        columns: ['cost', ...TABLE_DPS.map((dp) => `D_p = ${dp}`)],
        rows: result.factors.map((factor) => [
          factor.cost,
          ...TABLE_DPS.map((dp) => {
            const spec = parseCostName(factor.cost);
            return spec.family === 'ls' ? 1 - Math.log(dp / (1 - dp)) : scalingFactor(spec, dp);
          }),
        ]),
      },
    ],
  };
}

/**
 * Returns the saturation evidence: at the grid's lowest D_p, MM's factor is below 1e−4
 * while NS's is above 1 − 1e−4 (requires mm and ns among the costs).
 */
export function scalingFactorsEvidence(result: ScalingFactorsResult): SimulationEvidence {
  const at = (cost: string) => result.factors.find((factor) => factor.cost === cost)?.values[0] ?? Number.NaN;
  const mm = at('mm');
  const ns = at('ns');
  const lowestDp = result.dps[0];
  return {
    claim: 'C1',
    simulation: 'scaling-factors',
    statement:
      `At D_p = ${lowestDp.toExponential(2)}, MM's scaling factor is ${mm.toExponential(2)} and NS's ${ns.toPrecision(6)}: ` +
      'MM saturates where the discriminator rejects a sample and NS does not (criterion: MM < 1e−4, NS > 1 − 1e−4).',
    values: { lowestDp, mm, ns },
    held: mm < 1e-4 && ns > 1 - 1e-4,
  };
}

export const scalingFactorsSimulation: SimulationWithDefaults<ScalingFactorsOptions, ScalingFactorsResult> = {
  name: 'scaling-factors',
  description: 'Scaling factor s(D_p) of every generator cost from D_p near 0 to near 1 (figure 2).',
  defaults: DEFAULTS,
  run,
  toSection,
};

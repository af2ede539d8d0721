/**
 * Small fixtures for the report, claims and end-to-end tests: a simulation whose section
 * has one figure of every kind, an experiment that trains nothing and returns fixed
 * claim outcomes, and one passing and one failing claim property.
 */
import fc from 'fast-check';
import type { ClaimProperty } from '../properties/claimProperty.ts';
import type { Simulation } from '../sims/simulation.ts';
import type { Experiment, RunSummary } from '../experiments/experiment.ts';
import type { BackendInfo } from '../src/backend.ts';
import type { Section } from '../src/figures.ts';

export const FIXTURE_BACKEND: BackendInfo = {
  name: 'cpu',
  package: '@tensorflow/tfjs-backend-cpu',
  version: '4.22.0',
  threads: 1,
  skipped: ['@tensorflow/tfjs-node: not installed'],
};

/** Axis titles every test looks for in the page, one per figure kind and axis. */
export const AXIS_TITLES = {
  lineX: 'generator step',
  lineY: '|Δθ| (log scale)',
  scatterX: 'x₁ (data units)',
  scatterY: 'x₂ (data units)',
  heatmapX: 'mass w₁ of mode 1',
  heatmapY: 'real probability r₁',
  barX: 'MNIST class',
  barY: 'class frequency (fraction of samples)',
};

const steps = Array.from({ length: 50 }, (_, index) => index);

/** Text with characters that must be escaped in HTML and in plotly labels. */
export const HOSTILE_TEXT = '<script>alert("x")</script> & <b>bold</b>';

export function everyFigureSection(): Section {
  return {
    id: 'every-figure',
    title: 'Every figure kind',
    text: ['A fixture section with one figure of every kind.', HOSTILE_TEXT],
    figures: [
      {
        kind: 'line',
        title: 'Adam step size',
        x: { title: AXIS_TITLES.lineX },
        y: { title: AXIS_TITLES.lineY, log: true },
        series: [
          {
            name: 'simulated',
            x: steps,
            y: steps.map((t) => Math.exp(-0.05 * t)),
            band: { low: steps.map((t) => 0.8 * Math.exp(-0.05 * t)), high: steps.map((t) => 1.2 * Math.exp(-0.05 * t)) },
          },
          { name: 'approximated', x: steps, y: steps.map((t) => Math.exp(-0.05 * t) * 1.05), dash: true },
        ],
        markers: [{ axis: 'x', value: 20, label: 'a = ½ ln β2' }],
      },
      {
        kind: 'scatter',
        title: 'Generated samples',
        x: { title: AXIS_TITLES.scatterX },
        y: { title: AXIS_TITLES.scatterY },
        equalAxes: true,
        series: [{ name: 'mm', x: [0, 1, -1, 0.5], y: [1, 0, 0.5, -1] }],
      },
      {
        kind: 'heatmap',
        title: 'Update share slope',
        x: { title: AXIS_TITLES.heatmapX, values: [0.1, 0.5, 0.9] },
        y: { title: AXIS_TITLES.heatmapY, values: [0.2, 0.8] },
        z: [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]],
        colorbarTitle: 'slope (unitless)',
      },
      {
        kind: 'bar',
        title: 'Class frequencies',
        x: { title: AXIS_TITLES.barX, categories: ['0', '1', '2'] },
        y: { title: AXIS_TITLES.barY },
        series: [{ name: 'ns', values: [0.5, 0.3, 0.2] }, { name: 'mm-nsat', values: [0.34, 0.33, 0.33] }],
      },
      {
        kind: 'images',
        title: 'Samples',
        columns: 2,
        images: [0, 0.25, 0.5, 1].map((level) => Array.from({ length: 4 }, () => Array.from({ length: 4 }, () => [level]))),
      },
    ],
    tables: [{ title: 'Fixture table', columns: ['cost', 'value'], rows: [['mm', 3.2e-9], ['ns', 0.5]] }],
  };
}

/** Builds a simulation whose section has every figure kind and that gives evidence for no claim. */
export function fixtureSimulation(): Simulation<{ steps: number }, { steps: number }> {
  return {
    name: 'fixture-figures',
    description: 'Fixture with one figure of every kind.',
    defaults: { steps: 3 },
    run(options, progress) {
      progress?.(1, 'done');
      return { steps: options.steps };
    },
    toSection: () => everyFigureSection(),
  };
}

export const FIXTURE_RUN: RunSummary = {
  id: 'ring-ns-seed1',
  experiment: 'fixture-ring',
  config: { cost: 'ns', seed: 1 },
  status: 'complete',
  backend: FIXTURE_BACKEND,
  metrics: { modesCovered: 6, gradientNorm: 3.2e-9 },
  machineSeconds: 754,
};

export function fixtureExperiment(): Experiment {
  return {
    name: 'fixture-ring',
    figure: 'fig. 4',
    description: 'Fixture standing in for the ring experiment.',
    claims: ['C12', 'C17'],
    scales: ['quick', 'cpu'],
    async run(scale, context) {
      context.progress(1, 2, 'ns');
      context.progress(2, 2, 'mm');
      return {
        experiment: 'fixture-ring',
        scale,
        seconds: 0.01,
        runs: [FIXTURE_RUN],
        sections: [{ id: 'ring', title: 'Ring of Gaussians', text: ['Fixture.'], figures: [], tables: [] }],
        claims: [
          { id: 'C12', title: 'ring', verdict: 'held', evidence: 'MM covered 8 of 8 modes, NS 6 of 8.', sources: ['run: ring-ns-seed1'] },
          { id: 'C17', title: 'hinge', verdict: 'not held', evidence: 'Hinge kept all 8 modes.', sources: ['run: ring-hinge-seed1'] },
        ],
      };
    },
  };
}

/** Builds an experiment that runs only at gpu scale, to give claims a "not run" reason. */
export function gpuOnlyExperiment(): Experiment {
  return {
    name: 'fixture-cifar',
    figure: 'fig. 8',
    description: 'Fixture that runs only at gpu scale.',
    claims: ['C18'],
    scales: ['gpu'],
    async run() {
      throw new Error('fixture-cifar must not run below gpu scale');
    },
  };
}

export const PASSING_PROPERTY: ClaimProperty = {
  claim: 'C1',
  name: 'σ(l) lies in (0, 1)',
  numRuns: 50,
  property: () => fc.property(fc.double({ min: -30, max: 30, noNaN: true }), (logit) => {
    const probability = 1 / (1 + Math.exp(-logit));
    return probability > 0 && probability < 1;
  }),
};

/** Fails for every integer above 10, so the shrunk counterexample is [11]. */
export const FAILING_PROPERTY: ClaimProperty = {
  claim: 'C2',
  name: 'every integer is at most 10',
  numRuns: 100,
  property: () => fc.property(fc.integer({ min: 0, max: 1000 }), (value) => value <= 10),
};

/**
 * Shared machinery of the toy-mixture experiments (ring and spiral): planning the runs of
 * variants × seeds, training them in the sweep's worker processes under
 * `<runsDir>/<experiment>/<scale>`, reading them back, and turning them into figures,
 * tables and run summaries.
 */
import path from 'node:path';
import type { ExperimentContext, RunSummary, Scale } from '../experiment.ts';
import type { Figure, LineFigure, ScatterFigure, Series, Table } from '../../src/figures.ts';
import type { GaussianMixture, MixtureConfig } from '../../src/data/mixtures.ts';
import { coverageChanges, coveredModes, type CoverageChanges } from '../../src/metrics/modes.ts';
import { createRng, sampleNormal } from '../../src/theory/random.ts';
import type { TrainConfigInput } from '../../src/train/config.ts';
import { MIXTURE_SETUP_MODULE, type MixtureSetupOptions } from '../../src/train/mixtureSetup.ts';
import { RunStore, type MetricRow, type RunStatus, type StoredSamples } from '../../src/train/runStore.ts';
import { runId, type SweepRun } from '../../src/train/sweep.ts';
import { describeCompletion, summariseRun, trainExperimentRuns } from '../experimentRuns.ts';
import { median, type VariantOutcome } from './verdict.ts';

export { median };

/**
 * Training settings of the authors' toy script at a number of steps and a learning rate:
 * batch 128, 128-d noise, and Adam with TensorFlow's AdamOptimizer defaults (β1 0.9,
 * β2 0.999, ε 1e-8), which that script keeps, for both players.
 */
export function toyTrainSettings(steps: number, learningRate: number, evaluations: number) {
  const every = Math.max(1, Math.round(steps / evaluations));
  const adam = { learningRate, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
  return {
    steps,
    batchSize: 128,
    noiseDimension: 128,
    generatorAdam: adam,
    discriminatorAdam: { ...adam },
    logEvery: every,
    evaluateEvery: every,
    checkpointEvery: Math.max(every, Math.round(steps / 10)),
    sampleSteps: [Math.round(steps / 4), Math.round(steps / 2), steps],
  };
}

/** Returns the toy script's networks (two hidden layers of 128 ReLU units) and the evaluation sizes. */
export function toySetup(coverageShare: number) {
  return {
    generatorHidden: [128, 128],
    discriminatorHidden: [128, 128],
    evaluationSamples: 2048,
    storedSamples: 512,
    coverageShare,
  };
}

/** One cost formulation (or setting) of an experiment, trained once per seed. */
export interface ToyVariant {
  label: string;
  cost: string;
  /** Training settings that differ from the scale's. */
  train?: Partial<TrainConfigInput>;
  /** Setup options that differ from the scale's (e.g. deeper networks). */
  setup?: Partial<MixtureSetupOptions>;
}

/** Everything a toy experiment fixes at one scale. */
export interface ToyScaleSettings {
  variants: ToyVariant[];
  seeds: number[];
  train: Omit<TrainConfigInput, 'cost' | 'seed'>;
  setup: Omit<MixtureSetupOptions, 'mixture'>;
  /** Steps whose stored samples are plotted. */
  scatterSteps: number[];
  /** The settings in one paragraph, for the report. */
  note: string;
}

export interface ToyRun {
  id: string;
  variant: ToyVariant;
  seed: number;
  config: { train: TrainConfigInput; setup: MixtureSetupOptions };
  status: RunStatus | null;
  rows: MetricRow[];
  samples: Map<number, StoredSamples>;
}

/** Trains the runs that are not finished yet and reads every run back. */
export async function trainToyRuns(
  experiment: string,
  scale: Scale,
  mixture: MixtureConfig,
  settings: ToyScaleSettings,
  context: ExperimentContext,
): Promise<ToyRun[]> {
  const planned = settings.variants.flatMap((variant) =>
    settings.seeds.map((seed) => ({
      id: runId(variant.label, `seed${seed}`),
      variant,
      seed,
      config: {
        train: { ...settings.train, ...variant.train, cost: variant.cost, seed },
        setup: { ...settings.setup, ...variant.setup, mixture },
      },
    })),
  );
  const sweep: SweepRun[] = planned.map((run) => ({
    id: run.id,
    config: { train: run.config.train, setup: { module: MIXTURE_SETUP_MODULE, options: run.config.setup } },
  }));
  const runsDir = await trainExperimentRuns(experiment, scale, sweep, context);

  return Promise.all(
    planned.map(async (run) => {
      const store = new RunStore(path.join(runsDir, run.id));
      const samples = new Map<number, StoredSamples>();
      for (const step of await store.sampleSteps()) {
        const stored = await store.readSamples(step);
        if (stored !== null) samples.set(step, stored);
      }
      return { ...run, status: await store.readStatus(), rows: await store.readMetrics(), samples };
    }),
  );
}


/** Rows that carry the evaluation metrics (modes covered and mode frequencies). */
export function evaluationRows(run: ToyRun): MetricRow[] {
  return run.rows.filter((row) => typeof row.modesCovered === 'number' && Array.isArray(row.modeFrequencies));
}

/** Returns the value of `key` in the run's last evaluation, or NaN. */
export function finalValue(run: ToyRun, key: string): number {
  const rows = evaluationRows(run);
  const value = rows.length > 0 ? rows[rows.length - 1][key] : undefined;
  return typeof value === 'number' ? value : Number.NaN;
}

/** Median high-quality rate below which the section states that the runs have not learned the mixture yet. */
const LEARNED_QUALITY = 0.5;

/**
 * Returns a sentence for the section when most generated samples still lie off every mode
 * at the last evaluation (median over all runs), or undefined. Short scales show only the
 * start of training, and without this sentence their figures would read like the claim.
 */
export function unlearnedCaveat(runs: ToyRun[]): string | undefined {
  const rates = runs.map((run) => finalValue(run, 'highQualityRate')).filter((rate) => Number.isFinite(rate));
  const rate = median(rates);
  if (!(rate < LEARNED_QUALITY)) return undefined;
  return (
    `At the last evaluation a median of ${(100 * rate).toFixed(0)} % of generated samples lie within 3σ of a mode ` +
    `(over ${rates.length} runs): these runs have not learned the mixture yet, so the figures show the start of ` +
    'training, not where the costs end up.'
  );
}

/**
 * Counts a run's mode losses and hops over its evaluations from `fromStep` on. A loss is a
 * mode covered at one evaluation and not at the next, and a hop is an interval that both
 * loses and gains a mode (see coverageChanges in src/metrics/modes.ts).
 */
export function runCoverageChanges(run: ToyRun, mixture: GaussianMixture, coverageShare: number, fromStep: number): CoverageChanges {
  const covered = evaluationRows(run)
    .filter((row) => row.step >= fromStep)
    .map((row) => coveredModes(row.modeFrequencies as number[], mixture.weights, coverageShare));
  return coverageChanges(covered);
}

/** Median over a variant's seeds of a metric at each evaluation step, with the min–max band. */
export function medianSeries(name: string, runs: ToyRun[], key: string): Series | undefined {
  const perRun = runs.map((run) => {
    const values = new Map<number, number>();
    for (const row of evaluationRows(run)) {
      const value = row[key];
      if (typeof value === 'number' && Number.isFinite(value)) values.set(row.step, value);
    }
    return values;
  });
  if (perRun.length === 0 || perRun.some((values) => values.size === 0)) return undefined;
  const steps = [...perRun[0].keys()].filter((step) => perRun.every((values) => values.has(step)));
  const at = (step: number) => perRun.map((values) => values.get(step)!);
  const series: Series = { name, x: steps, y: steps.map((step) => median(at(step))), mode: 'lines' };
  if (runs.length > 1) {
    series.band = { low: steps.map((step) => Math.min(...at(step))), high: steps.map((step) => Math.max(...at(step))) };
  }
  return series;
}

export function metricOverTraining(
  title: string,
  yTitle: string,
  key: string,
  variants: ToyVariant[],
  runs: ToyRun[],
  range?: [number, number],
): LineFigure {
  return {
    kind: 'line',
    title,
    x: { title: 'training step (G updates)' },
    y: { title: yTitle, range },
    series: variants
      .map((variant) => medianSeries(variant.label, runs.filter((run) => run.variant === variant), key))
      .filter((series): series is Series => series !== undefined),
  };
}

/** Draws real samples on the host (seeded), for plots. */
export function realSamples(mixture: GaussianMixture, count: number, seed: number): { x: number[]; y: number[] } {
  const rng = createRng(seed);
  const cumulative = mixture.weights.map((_, k) => mixture.weights.slice(0, k + 1).reduce((sum, w) => sum + w, 0));
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < count; i++) {
    const u = rng.next();
    const mode = Math.max(0, cumulative.findIndex((edge) => u < edge));
    x.push(mixture.means[mode][0] + mixture.sigma * sampleNormal(rng));
    y.push(mixture.means[mode][1] + mixture.sigma * sampleNormal(rng));
  }
  return { x, y };
}

/** Plots real samples and a run's generated samples at a step. */
export function sampleScatter(mixture: GaussianMixture, run: ToyRun, step: number, extent: number): ScatterFigure | undefined {
  const stored = run.samples.get(step);
  if (stored === undefined) return undefined;
  const real = realSamples(mixture, stored.shape[0], 1);
  const generated = { x: [] as number[], y: [] as number[] };
  for (let i = 0; i < stored.shape[0]; i++) {
    generated.x.push(stored.data[2 * i]);
    generated.y.push(stored.data[2 * i + 1]);
  }
  return {
    kind: 'scatter',
    title: `${run.variant.label}, seed ${run.seed}, step ${step}`,
    x: { title: 'x', range: [-extent, extent] },
    y: { title: 'y', range: [-extent, extent] },
    equalAxes: true,
    series: [
      { name: 'real', ...real, mode: 'markers' },
      { name: `${run.variant.label} generated`, ...generated, mode: 'markers' },
    ],
  };
}

/** Scatter plots of the first seed of each variant at the scale's scatter steps. */
export function scatterFigures(mixture: GaussianMixture, variants: ToyVariant[], runs: ToyRun[], steps: number[], extent: number): Figure[] {
  return variants.flatMap((variant) => {
    const first = runs.find((run) => run.variant === variant);
    if (first === undefined) return [];
    return steps.map((step) => sampleScatter(mixture, first, step, extent)).filter((f): f is ScatterFigure => f !== undefined);
  });
}

/** Formats a number for a table: four significant digits, exponential below 0.01. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '–';
  if (value !== 0 && Math.abs(value) < 0.01) return value.toExponential(2);
  return Number(value.toPrecision(4)).toString();
}

/** Per-mode frequencies at the last evaluation, median over seeds (the layout of table 3). */
export function modeFrequencyTable(title: string, mixture: GaussianMixture, variants: ToyVariant[], runs: ToyRun[]): Table {
  const finalFrequencies = (variant: ToyVariant) =>
    runs
      .filter((run) => run.variant === variant)
      .map((run) => evaluationRows(run).at(-1)?.modeFrequencies as number[] | undefined)
      .filter((frequencies): frequencies is number[] => frequencies !== undefined);
  const perVariant = variants.map(finalFrequencies);
  const rows: (string | number)[][] = mixture.weights.map((weight, k) => [
    k,
    formatNumber(weight),
    ...perVariant.map((list) => formatNumber(median(list.map((frequencies) => frequencies[k])))),
  ]);
  rows.push([
    'none',
    0,
    ...perVariant.map((list) => formatNumber(median(list.map((frequencies) => 1 - frequencies.reduce((s, f) => s + f, 0))))),
  ]);
  return { title, columns: ['mode', 'real', ...variants.map((variant) => variant.label)], rows };
}

/** Final figures of each variant: modes covered, divergence, quality, losses and hops. */
export function summaryTable(
  title: string,
  mixture: GaussianMixture,
  variants: ToyVariant[],
  runs: ToyRun[],
  coverageShare: number,
  fromStep: number,
): Table {
  const rows = variants.map((variant) => {
    const group = runs.filter((run) => run.variant === variant);
    const covered = group.map((run) => finalValue(run, 'modesCovered'));
    const changes = group.map((run) => runCoverageChanges(run, mixture, coverageShare, fromStep));
    return [
      variant.label,
      `${formatNumber(median(covered))} (${formatNumber(Math.min(...covered))}–${formatNumber(Math.max(...covered))})`,
      formatNumber(median(group.map((run) => finalValue(run, 'modeDivergence')))),
      formatNumber(median(group.map((run) => finalValue(run, 'highQualityRate')))),
      formatNumber(median(changes.map((change) => change.losses))),
      formatNumber(median(changes.map((change) => change.hops))),
      describeCompletion(group.map((run) => run.status)),
    ];
  });
  return {
    title,
    columns: [
      'variant',
      'modes covered, median (min–max)',
      'mode-frequency JS (bits)',
      'high-quality rate',
      `mode losses from step ${fromStep}`,
      `mode hops from step ${fromStep}`,
      'runs complete',
    ],
    rows,
  };
}

/** Summaries for results.json: config, state, backend and final evaluation metrics. */
export function runSummaries(experiment: string, runs: ToyRun[]): RunSummary[] {
  return runs.map((run) => {
    const metrics: Record<string, number> = {};
    for (const key of ['modesCovered', 'highQualityRate', 'modeDivergence']) {
      const value = finalValue(run, key);
      if (Number.isFinite(value)) metrics[key] = value;
    }
    return summariseRun(experiment, run, { variant: run.variant.label, ...run.config }, metrics);
  });
}


/**
 * Summarises a variant's runs for a verdict: final modes covered, mode losses and hops over
 * the second half of training, and final mode-frequency divergence, one entry per seed.
 */
export function variantOutcome(
  variant: ToyVariant,
  runs: ToyRun[],
  mixture: GaussianMixture,
  coverageShare: number,
  steps: number,
): VariantOutcome {
  const group = runs.filter((run) => run.variant === variant);
  const changes = group.map((run) => runCoverageChanges(run, mixture, coverageShare, steps / 2));
  return {
    label: variant.label,
    finalModesCovered: group.map((run) => finalValue(run, 'modesCovered')),
    losses: changes.map((change) => change.losses),
    hops: changes.map((change) => change.hops),
    finalModeDivergence: group.map((run) => finalValue(run, 'modeDivergence')),
    complete: group.filter((run) => run.status?.state === 'complete').length,
    runs: group.length,
  };
}

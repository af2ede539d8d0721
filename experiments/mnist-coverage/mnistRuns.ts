/**
 * Running and reading the MNIST experiments' training runs: one run per variant (a cost
 * with optional training settings), network preset and seed, trained by the sweep in
 * worker processes under `<runsDir>/<experiment>/<scale>`, then read back from the run
 * store. Also the summaries the figures need: a metric's median and min–max over seeds.
 */
import type { ExperimentContext, RunSummary, Scale } from '../experiment.ts';
import type { Series } from '../../src/figures.ts';
import type { TrainConfigInput } from '../../src/train/config.ts';
import type { MetricRow } from '../../src/train/runStore.ts';
import { runId, type SweepRun } from '../../src/train/sweep.ts';
import { readStoredRun, summariseRun, trainExperimentRuns, type StoredRun } from '../experimentRuns.ts';
import { MNIST_SETUP_MODULE, setupClassifier, type MnistSetupOptions } from './mnistSetup.ts';

/** MNIST's training digits: an epoch is 60 000 / batch size steps. */
export const MNIST_TRAINING_DIGITS = 60000;

/** A cost formulation as the figures name it, with the training settings it implies. */
export interface Variant {
  /** Label in figures and tables, e.g. "MM-β2". */
  label: string;
  /** Name in run ids, letters, digits and - only, e.g. "mm-beta2". */
  id: string;
  cost: string;
  train?: Partial<TrainConfigInput>;
}

export interface PlannedRun {
  id: string;
  variant: Variant;
  setup: MnistSetupOptions;
  seed: number;
  train: TrainConfigInput;
}

export interface LoadedRun extends PlannedRun, StoredRun {}

/**
 * Returns the training config shared by runs measured `evaluations` times, evenly spaced:
 * diagnostics at least every 50 steps, a checkpoint at each evaluation or every 500 steps,
 * samples at the end. Experiments that plan with it plan the same ids and configs, so the
 * run store lets one reuse another's runs.
 */
export function evaluatedRunBase(steps: number, batchSize: number, evaluations: number): Omit<TrainConfigInput, 'cost' | 'seed'> {
  const evaluateEvery = Math.max(1, Math.floor(steps / evaluations));
  return {
    steps,
    batchSize,
    logEvery: Math.max(1, Math.min(50, evaluateEvery)),
    evaluateEvery,
    checkpointEvery: Math.max(evaluateEvery, 500),
    sampleSteps: [steps],
  };
}

/** Lists variant × preset × seed runs with a shared base training config. */
/** Returns `{ [key]: base's options with the variant's on top }`, or nothing when neither sets them. */
function mergedAdam(
  key: 'generatorAdam' | 'discriminatorAdam',
  base: Omit<TrainConfigInput, 'cost' | 'seed'>,
  variant: Variant['train'],
): Partial<Pick<TrainConfigInput, typeof key>> {
  if (base[key] === undefined || variant?.[key] === undefined) return {};
  return { [key]: { ...base[key], ...variant[key] } };
}

export function planRuns(
  variants: Variant[],
  setups: MnistSetupOptions[],
  seeds: number[],
  base: Omit<TrainConfigInput, 'cost' | 'seed'>,
): PlannedRun[] {
  const runs: PlannedRun[] = [];
  for (const setup of setups) {
    for (const variant of variants) {
      for (const seed of seeds) {
        // A variant's Adam settings add to the base's (MM-β2 changes β2 and keeps a base α).
        const train = {
          ...base,
          ...variant.train,
          ...mergedAdam('generatorAdam', base, variant.train),
          ...mergedAdam('discriminatorAdam', base, variant.train),
          cost: variant.cost,
          seed,
        } as TrainConfigInput;
        runs.push({ id: runId(setup.preset, variant.id, `seed${seed}`), variant, setup, seed, train });
      }
    }
  }
  return runs;
}

/**
 * Trains the planned runs (those not finished yet) and reads every run back. When a setup
 * needs class metrics, the classifier is trained here first, so workers find it cached.
 */
export async function runAndLoad(experiment: string, scale: Scale, runs: PlannedRun[], context: ExperimentContext): Promise<LoadedRun[]> {
  const measured = runs.find((run) => run.setup.classMetrics !== false);
  if (measured) {
    context.progress(0, runs.length, 'MNIST classifier: loading from the cache or training it (about 2 minutes on 2 cores)');
    const classifier = await setupClassifier(measured.setup, (line) => context.progress(0, runs.length, `MNIST classifier: ${line}`));
    classifier.dispose();
  }
  const sweepRuns: SweepRun[] = runs.map((run) => ({
    id: run.id,
    config: { train: run.train, setup: { module: MNIST_SETUP_MODULE, options: run.setup } },
  }));
  const runsDir = await trainExperimentRuns(experiment, scale, sweepRuns, context);
  return Promise.all(runs.map(async (run) => ({ ...run, ...(await readStoredRun(runsDir, run.id)) })));
}

/** Summarises a run for results.json: its config, state and the last value of each metric. */
export function runSummary(experiment: string, run: LoadedRun, metricKeys: string[]): RunSummary {
  const metrics: Record<string, number> = {};
  for (const key of metricKeys) {
    const value = lastValue(run.rows, key);
    if (value !== undefined) metrics[key] = value;
  }
  return summariseRun(experiment, run, { variant: run.variant.label, ...run.train, setup: run.setup }, metrics);
}

/** Returns the metric's value in the last row that has it as a number. */
export function lastValue(rows: MetricRow[], key: string): number | undefined {
  for (let i = rows.length - 1; i >= 0; i--) {
    const value = rows[i][key];
    if (typeof value === 'number' && Number.isFinite(value)) return value;
  }
  return undefined;
}

/** Returns the steps and values of rows that have `key` as a finite number. */
export function metricSeries(rows: MetricRow[], key: string): { steps: number[]; values: number[] } {
  const steps: number[] = [];
  const values: number[] = [];
  for (const row of rows) {
    const value = row[key];
    if (typeof value === 'number' && Number.isFinite(value)) {
      steps.push(row.step);
      values.push(value);
    }
  }
  return { steps, values };
}

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Builds the series of a metric's median over runs at every step that all runs logged,
 * with the min–max band when there are several runs.
 */
export function medianSeries(
  name: string,
  runs: LoadedRun[],
  key: string,
  options: { dash?: boolean; colour?: number } = {},
): Series | undefined {
  const perRun = runs.map((run) => new Map(zip(metricSeries(run.rows, key))));
  if (perRun.length === 0 || perRun.some((series) => series.size === 0)) return undefined;
  const steps = [...perRun[0].keys()].filter((step) => perRun.every((series) => series.has(step)));
  const at = (step: number) => perRun.map((series) => series.get(step)!);
  const series: Series = { name, x: steps, y: steps.map((step) => median(at(step))), dash: options.dash, colour: options.colour };
  if (runs.length > 1) {
    series.band = { low: steps.map((step) => Math.min(...at(step))), high: steps.map((step) => Math.max(...at(step))) };
  }
  return series;
}

function zip({ steps, values }: { steps: number[]; values: number[] }): [number, number][] {
  return steps.map((step, i) => [step, values[i]]);
}

/** Formats a number for a table: four significant digits, exponential below 0.01. */
export function formatNumber(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  if (value !== 0 && Math.abs(value) < 0.01) return value.toExponential(2);
  return Number(value.toPrecision(4)).toString();
}

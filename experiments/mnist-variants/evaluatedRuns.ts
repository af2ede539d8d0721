/**
 * FC-4 runs on MNIST with class metrics at evaluation steps, planned exactly as
 * mnist-coverage plans its FC-4 runs. Experiments comparing more costs thus reuse
 * mnist-coverage's NS, MM and MM-nsat runs, because the sweep skips a run whose folder
 * under the same experiment and scale already contains a finished run of the same id.
 */
import path from 'node:path';
import type { ExperimentContext, Scale } from '../experiment.ts';
import { COVERAGE_SCALES, COVERAGE_VARIANTS } from '../mnist-coverage/index.ts';
import { MNIST_SETUP_MODULE, type MnistSetupOptions } from '../mnist-coverage/mnistSetup.ts';
import {
  evaluatedRunBase,
  MNIST_TRAINING_DIGITS,
  planRuns,
  runAndLoad,
  type LoadedRun,
  type PlannedRun,
  type Variant,
} from '../mnist-coverage/mnistRuns.ts';
import type { TrainConfigInput } from '../../src/train/config.ts';
import { RunStore } from '../../src/train/runStore.ts';

export const COVERAGE_EXPERIMENT = 'mnist-coverage';

/** How long evaluated runs train and how often they are measured. */
export interface EvaluatedRunSettings {
  setup: MnistSetupOptions;
  seeds: number[];
  batchSize: number;
  steps: number;
  /** Evaluations per run, evenly spaced. */
  evaluations: number;
}

/** Returns the settings of mnist-coverage's FC-4 runs at a scale that has them. */
export function coverageFc4Settings(scale: Scale): EvaluatedRunSettings {
  const settings = COVERAGE_SCALES[scale];
  const network = settings.networks.find((entry) => entry.setup.preset === 'fc-4');
  if (network === undefined) {
    throw new RangeError(`coverageFc4Settings: mnist-coverage has no FC-4 runs at scale ${scale}`);
  }
  return {
    setup: network.setup,
    seeds: settings.seeds,
    batchSize: settings.batchSize,
    steps: settings.steps ?? Math.round((network.epochs * MNIST_TRAINING_DIGITS) / settings.batchSize),
    evaluations: settings.evaluations,
  };
}

/** Returns the training config shared by every run of these settings, as mnist-coverage plans it. */
export function settingsRunBase(settings: EvaluatedRunSettings): Omit<TrainConfigInput, 'cost' | 'seed'> {
  return evaluatedRunBase(settings.steps, settings.batchSize, settings.evaluations);
}

export function planEvaluatedRuns(variants: Variant[], settings: EvaluatedRunSettings): PlannedRun[] {
  return planRuns(variants, [settings.setup], settings.seeds, settingsRunBase(settings));
}

/** mnist-coverage's variants with these labels, unchanged, so their run ids match. */
export function coverageVariants(labels: string[]): Variant[] {
  return labels.map((label) => {
    const variant = COVERAGE_VARIANTS.find((entry) => entry.label === label);
    if (variant === undefined) throw new RangeError(`coverageVariants: mnist-coverage has no variant ${JSON.stringify(label)}`);
    return variant;
  });
}

/** Turns a cost name into a run-id part of letters, digits and -: "ns+mm-nsat(0.33)" → "ns-mm-nsat-0p33". */
export function variantId(cost: string): string {
  return cost
    .replace(/\+/g, '-')
    .replace(/[()]/g, (bracket) => (bracket === '(' ? '-' : ''))
    .replace(/\./g, 'p');
}

/** Writes an object as JSON with its keys sorted, so equal configs give equal text. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_, entry: unknown) =>
    entry !== null && typeof entry === 'object' && !Array.isArray(entry)
      ? Object.fromEntries(Object.entries(entry as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : entry,
  );
}

/**
 * Lists the planned runs whose stored config differs from the plan: a finished run of
 * another experiment with the same id but other settings, which the sweep would not retrain.
 */
export async function configMismatches(runsDir: string, experiment: string, scale: Scale, runs: PlannedRun[]): Promise<string[]> {
  const mismatched: string[] = [];
  for (const run of runs) {
    const stored = await new RunStore(path.join(runsDir, experiment, scale, run.id)).readConfig<{ train?: unknown; setup?: unknown }>();
    if (stored === null) continue;
    const planned = { train: run.train, setup: { module: MNIST_SETUP_MODULE, options: run.setup } };
    if (canonicalJson({ train: stored.train, setup: stored.setup }) !== canonicalJson(planned)) mismatched.push(run.id);
  }
  return mismatched;
}

export interface ReusedAndOwnRuns {
  reused: LoadedRun[];
  own: LoadedRun[];
  /** Reused runs found with another config than planned. */
  mismatched: string[];
}

/** Trains (or finds) the reused runs under their own experiment, then this experiment's runs. */
export async function runReusedAndOwn(
  experiment: string,
  reusedExperiment: string,
  scale: Scale,
  reusedPlan: PlannedRun[],
  ownPlan: PlannedRun[],
  context: ExperimentContext,
): Promise<ReusedAndOwnRuns> {
  const reused = await runAndLoad(reusedExperiment, scale, reusedPlan, context);
  const own = await runAndLoad(experiment, scale, ownPlan, context);
  const mismatched = await configMismatches(context.runsDir, reusedExperiment, scale, reusedPlan);
  return { reused, own, mismatched };
}

/**
 * Running and reading the CIFAR-10, CAT and FFHQ training runs: what must exist before a
 * sweep (the dataset, the prepared images, the cached FID reference, the CIFAR-10
 * classifier), one run per network,
 * variant and seed trained in worker processes under `<runsDir>/<experiment>/<scale>`, and
 * the runs read back from the run store.
 */
import path from 'node:path';
import type { ExperimentContext, RunSummary, Scale } from '../experiment.ts';
import { lastValue, type Variant } from '../mnist-coverage/mnistRuns.ts';
import { readStoredRun, summariseRun, trainExperimentRuns, type StoredRun } from '../experimentRuns.ts';
import { checkDataset } from '../../src/data/datasetCheck.ts';
import { DATASETS, type DatasetName } from '../../src/data/datasets.ts';
import { inceptionNotRunReason } from '../../src/metrics/inception.ts';
import type { TrainConfigInput } from '../../src/train/config.ts';
import { runId, type SweepRun } from '../../src/train/sweep.ts';
import { prepareCifar10Classifier } from './classMetrics.ts';
import { classMetricOptions, datasetFolder, IMAGE_SETUP_MODULE, openImageSource, setupInceptionFid, type ImageSetupOptions } from './imageSetup.ts';

export interface ImagePlannedRun {
  id: string;
  variant: Variant;
  setup: ImageSetupOptions;
  seed: number;
  train: TrainConfigInput;
}

export interface ImageLoadedRun extends ImagePlannedRun, StoredRun {
  /** Images in the training set, which make one epoch. */
  trainingImages: number;
}

/** Lists setup × variant × seed runs with a shared base training config. */
export function planImageRuns(
  variants: Variant[],
  setups: ImageSetupOptions[],
  seeds: number[],
  base: Omit<TrainConfigInput, 'cost' | 'seed'>,
): ImagePlannedRun[] {
  const runs: ImagePlannedRun[] = [];
  for (const setup of setups) {
    for (const variant of variants) {
      for (const seed of seeds) {
        const train = { ...base, ...variant.train, cost: variant.cost, seed } as TrainConfigInput;
        runs.push({ id: runId(setup.preset, `r${setup.resolution}`, variant.id, `seed${seed}`), variant, setup, seed, train });
      }
    }
  }
  return runs;
}

/** Folder of prepared images and FID references: `.cache` beside the run store's folder. */
export function imageCacheDir(context: ExperimentContext): string {
  return path.join(path.dirname(path.resolve(context.runsDir)), '.cache');
}

/**
 * Returns why the experiment cannot train on `dataset`, with the commands that fix it, or
 * undefined when the dataset is complete. `allowPartial` accepts fewer images than the
 * catalogue lists and short CIFAR-10 batch files (tests only).
 */
export async function datasetNotRunReason(
  dataset: DatasetName,
  context: ExperimentContext,
  suite: string,
  allowPartial = false,
): Promise<string | undefined> {
  const fetch = `gan-dynamics data fetch ${dataset} --dir DIR`;
  const report = `gan-dynamics report --suite ${suite} --data DIR`;
  if (context.dataDir === undefined) {
    return `No data directory was given, so ${DATASETS[dataset].title} is not available. Run \`${fetch}\`, then \`${report}\`.`;
  }
  const folder = datasetFolder({ dataset, dataDir: context.dataDir });
  const status = await checkDataset(dataset, folder, { allowShortBatches: allowPartial });
  const missing = allowPartial ? status.missing.filter((entry) => entry.startsWith('every') || entry.endsWith('.bin')) : status.missing;
  if (!status.present || missing.length > 0 || status.problems.length > 0) {
    const found = !status.present ? `${folder} does not exist` : `${folder} is incomplete (${[...missing.map((entry) => `missing ${entry}`), ...status.problems].join('; ')})`;
    return `${found}. Run \`gan-dynamics data fetch ${dataset} --dir ${context.dataDir}\`, then \`gan-dynamics report --suite ${suite} --data ${context.dataDir}\`.`;
  }
  return undefined;
}

/** Returns why FID cannot be measured in this context, or undefined when an Inception model is there. */
export async function fidNotRunReason(context: ExperimentContext): Promise<string | undefined> {
  if (context.inception === undefined) {
    return 'FID not run: no --inception folder was given. FID needs a local TensorFlow.js graph model of InceptionV3 (model.json and its weight shards); pass its folder with `report --inception DIR`.';
  }
  return inceptionNotRunReason(context.inception);
}

/** Key of a setup's real data: its dataset, resolution and FID reference size. */
export function dataKey(setup: ImageSetupOptions): string {
  return `${setup.dataset}-${setup.resolution}-${setup.referenceSamples}`;
}

/** Results of preparing the data, by `dataKey`. */
export interface PreparedImageData {
  /** Images in each training set. */
  imageCounts: Map<string, number>;
  /** Test accuracy of the classifier of each dataset with class labels (CIFAR-10). */
  classifierAccuracy: Map<string, number>;
}

/**
 * Prepares every dataset, FID reference and classifier the setups need. Preparing here,
 * once, keeps parallel workers from each decoding the images, computing the reference or
 * training the classifier.
 */
export async function prepareImageData(setups: ImageSetupOptions[], context: ExperimentContext): Promise<PreparedImageData> {
  const prepared: PreparedImageData = { imageCounts: new Map(), classifierAccuracy: new Map() };
  const log = (line: string) => context.progress(0, setups.length, line);
  for (const setup of setups) {
    const key = dataKey(setup);
    if (prepared.imageCounts.has(key)) continue;
    const source = await openImageSource(setup, log);
    try {
      prepared.imageCounts.set(key, source.count);
      const fid = await setupInceptionFid(setup, source, log);
      fid?.dispose();
    } finally {
      source.close();
    }
    const classOptions = classMetricOptions(setup);
    if (classOptions) {
      const accuracy = await prepareCifar10Classifier(classOptions, (line) => log(`CIFAR-10 classifier: ${line}`));
      prepared.classifierAccuracy.set(key, accuracy);
    }
  }
  return prepared;
}

/** Trains the planned runs (those not finished yet) and reads every run back. */
export async function runAndLoadImages(
  experiment: string,
  scale: Scale,
  runs: ImagePlannedRun[],
  imageCounts: Map<string, number>,
  context: ExperimentContext,
): Promise<ImageLoadedRun[]> {
  const sweepRuns: SweepRun[] = runs.map((run) => ({
    id: run.id,
    config: { train: run.train, setup: { module: IMAGE_SETUP_MODULE, options: run.setup } },
  }));
  const runsDir = await trainExperimentRuns(experiment, scale, sweepRuns, context);
  return Promise.all(
    runs.map(async (run) => ({
      ...run,
      trainingImages: imageCounts.get(dataKey(run.setup)) ?? Number.NaN,
      ...(await readStoredRun(runsDir, run.id)),
    })),
  );
}

/** Summarises a run for results.json: its config, state and the last value of each metric. */
export function imageRunSummary(experiment: string, run: ImageLoadedRun, metricKeys: string[]): RunSummary {
  const metrics: Record<string, number> = {};
  for (const key of metricKeys) {
    const value = lastValue(run.rows, key);
    if (value !== undefined) metrics[key] = value;
  }
  return summariseRun(experiment, run, { variant: run.variant.label, ...run.train, setup: run.setup }, metrics);
}

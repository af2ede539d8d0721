/**
 * One shape for the CIFAR-10 (fig. 8), CAT 128² (fig. 21) and FFHQ (fig. 23) experiments:
 * check the data, train NS against MM-nsat (and other variants) per network or resolution,
 * plot FID during training with sample grids (and for CIFAR-10 the class divergence and the
 * classifier Fréchet distance), and compute the claim's verdict from the runs.
 * The per-figure modules only supply their settings, their grouping and their rule.
 */
import type { Experiment, ExperimentContext, ExperimentResult, Scale } from '../experiment.ts';
import type { ClaimOutcome } from '../../src/claims/claim.ts';
import { CLAIM_TITLES } from '../../src/claims/claim.ts';
import type { DatasetName } from '../../src/data/datasets.ts';
import { resizeImage } from '../../src/data/images.ts';
import type { ImageGridFigure, LineFigure, Section, Series, Table } from '../../src/figures.ts';
import { INCEPTION_FEATURES, INCEPTION_MODEL_FILE } from '../../src/metrics/inception.ts';
import { INCEPTION_FID_NAME } from '../../src/metrics/inceptionFid.ts';
import { SUITE_OF_SCALE } from '../../src/claims/suites.ts';
import { formatNumber, lastValue, median, metricSeries, type Variant } from '../mnist-coverage/mnistRuns.ts';
import { CIFAR10_CLASSIFIER_FRECHET_NAME, CLASS_METRIC_KEYS, type TestClassifierOptions } from './classMetrics.ts';
import { variantCollapse, type RunsByVariant, type VerdictContext } from './collapse.ts';
import type { ImagePreset, ImageSetupOptions } from './imageSetup.ts';
import {
  dataKey,
  datasetNotRunReason,
  fidNotRunReason,
  imageCacheDir,
  imageRunSummary,
  planImageRuns,
  prepareImageData,
  runAndLoadImages,
  type ImageLoadedRun,
} from './imageRuns.ts';

export const IMAGE_VARIANTS: Variant[] = [
  { label: 'NS', id: 'ns', cost: 'ns' },
  { label: 'MM', id: 'mm', cost: 'mm' },
  { label: 'MM-nsat', id: 'mm-nsat', cost: 'mm-nsat' },
  { label: 'MM-unit', id: 'mm-unit', cost: 'mm-unit' },
  { label: 'NS-unit', id: 'ns-unit', cost: 'ns-unit' },
];

/** Largest side of images shown in the report's grids; larger samples are shrunk by area averaging. */
const GRID_SIDE = 128;

export interface ImageNetwork {
  preset: ImagePreset;
  resolution: number;
  /** m; the preset's 32 when absent. */
  width?: number;
}

export interface ImageScaleSettings {
  networks: ImageNetwork[];
  /** Variant labels of IMAGE_VARIANTS. */
  variants: string[];
  seeds: number[];
  batchSize: number;
  epochs: number;
  /** Steps in place of epochs, for tests. */
  steps?: number;
  /** FID evaluations per run, evenly spaced. */
  evaluations: number;
  evaluationSamples: number;
  referenceSamples: number;
  storedSamples: number;
  /** Accepts a dataset with fewer images than the catalogue lists (tests only). */
  allowPartialData?: boolean;
  /** Width of the Inception features; 2048 unless a test uses a stand-in model. */
  featureDimension?: number;
  /** A small CIFAR-10 classifier (tests only); the real one when absent. */
  testClassifier?: TestClassifierOptions;
  note: string;
}

export interface ImageExperimentDefinition {
  name: string;
  figure: string;
  description: string;
  claim: 'C18' | 'C19';
  dataset: DatasetName;
  /** The dataset as sections name it, e.g. "CIFAR-10". */
  datasetTitle: string;
  scales: Partial<Record<Scale, ImageScaleSettings>>;
  /** Epochs the claim's rule needs. */
  minEpochs: number;
  /** Groups runs for figures and the rule: by preset, or by resolution. */
  caseOf(setup: ImageSetupOptions): string;
  verdict(runs: Map<string, RunsByVariant>, context: VerdictContext): ClaimOutcome;
}

/** Plots one metric during training, one line per variant: the median over seeds, banded by min and max. */
function metricFigure(variants: Map<string, ImageLoadedRun[]>, key: string, title: string, yTitle: string): LineFigure {
  const series: Series[] = [];
  for (const [label, runs] of variants) {
    const perRun = runs.map((run) => {
      const { steps, values } = metricSeries(run.rows, key);
      return new Map(steps.map((step, i) => [step, values[i]]));
    });
    if (perRun.length === 0 || perRun.some((entry) => entry.size === 0)) continue;
    const steps = [...perRun[0].keys()].filter((step) => perRun.every((entry) => entry.has(step)));
    const at = (step: number) => perRun.map((entry) => entry.get(step)!);
    const line: Series = { name: label, x: steps, y: steps.map((step) => median(at(step))) };
    if (runs.length > 1) line.band = { low: steps.map((step) => Math.min(...at(step))), high: steps.map((step) => Math.max(...at(step))) };
    series.push(line);
  }
  return { kind: 'line', title, x: { title: 'training step (G updates)' }, y: { title: yTitle }, series };
}

function fidFigure(title: string, variants: Map<string, ImageLoadedRun[]>, settings: ImageScaleSettings): LineFigure {
  const described = `${title}: ${INCEPTION_FID_NAME} on ${settings.evaluationSamples} samples against ${settings.referenceSamples} real images (median over seeds, band: min–max)`;
  return metricFigure(variants, 'fid', described, INCEPTION_FID_NAME);
}

function classMetricFigures(title: string, variants: Map<string, ImageLoadedRun[]>, settings: ImageScaleSettings): LineFigure[] {
  const samples = `on ${settings.evaluationSamples} samples`;
  return [
    metricFigure(variants, 'classDivergence', `${title}: D_JS^CD of class frequencies against the training labels ${samples} (median over seeds, band: min–max)`, 'D_JS^CD (bits)'),
    metricFigure(
      variants,
      'frechetDistance',
      `${title}: ${CIFAR10_CLASSIFIER_FRECHET_NAME} ${samples} against ${settings.referenceSamples} real images (median over seeds, band: min–max)`,
      CIFAR10_CLASSIFIER_FRECHET_NAME,
    ),
  ];
}

/** Last class-metric values of each variant, medians over its seeds. */
function classMetricTable(title: string, variants: Map<string, ImageLoadedRun[]>): Table {
  const lastMedian = (runs: ImageLoadedRun[], key: string) => {
    const values = runs.map((run) => lastValue(run.rows, key)).filter((value): value is number => value !== undefined);
    return values.length === runs.length ? median(values) : undefined;
  };
  const rows = [...variants].map(([label, runs]) => [
    label,
    runs.length,
    formatNumber(lastMedian(runs, 'classDivergence')),
    formatNumber(lastMedian(runs, 'frechetDistance')),
  ]);
  return {
    title: `${title}: D_JS^CD and ${CIFAR10_CLASSIFIER_FRECHET_NAME} at the last evaluation (medians over seeds)`,
    columns: ['variant', 'runs', 'last D_JS^CD (bits)', 'last Fréchet distance (classifier)'],
    rows,
  };
}

/** Shrinks stored samples to at most GRID_SIDE a side and maps them to [0, 1]. */
function imageGrid(title: string, run: ImageLoadedRun): ImageGridFigure | undefined {
  const samples = run.samples;
  if (samples === null || samples.shape.length !== 4) return undefined;
  const [count, side, , channels] = samples.shape;
  const shown = Math.min(side, GRID_SIDE);
  const images = Array.from({ length: count }, (_, n) => {
    const bytes = new Uint8Array(side * side * channels);
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.min(255, Math.max(0, Math.round((samples.data[n * bytes.length + i] + 1) * 127.5)));
    const resized = resizeImage({ width: side, height: side, channels, data: bytes }, shown, shown);
    return Array.from({ length: shown }, (_, y) =>
      Array.from({ length: shown }, (_, x) => Array.from(resized.subarray((y * shown + x) * channels, (y * shown + x + 1) * channels), (value) => value / 255)),
    );
  });
  const shrunk = shown < side ? `, shown at ${shown}²` : '';
  return { kind: 'images', title: `${title} ${run.variant.label}, seed ${run.seed}: ${count} samples at step ${samples.step}${shrunk}`, images, columns: Math.min(8, count) };
}

function collapseTable(title: string, variants: Map<string, ImageLoadedRun[]>): Table {
  const rows = [...variants].map(([label, runs]) => {
    const summary = variantCollapse(runs.map((run) => ({ rows: run.rows, diverged: run.status?.state === 'diverged' })), 'fid');
    if (summary === undefined) return [label, runs.length, '–', '–', '–', 'too few evaluations'];
    return [label, runs.length, formatNumber(summary.medianBest), formatNumber(summary.medianLate), formatNumber(summary.medianRatio), summary.collapsed ? 'collapsed' : 'stable'];
  });
  return { title: `${title}: best and late ${INCEPTION_FID_NAME} (medians over seeds)`, columns: ['variant', 'runs', 'best FID', 'late FID', 'late / best', 'reading'], rows };
}

function caseTitle(definition: ImageExperimentDefinition, caseLabel: string): string {
  return `${definition.datasetTitle} ${caseLabel}`;
}

function caseSection(
  definition: ImageExperimentDefinition,
  scale: Scale,
  caseLabel: string,
  variants: Map<string, ImageLoadedRun[]>,
  settings: ImageScaleSettings,
  texts: string[],
): Section {
  const title = caseTitle(definition, caseLabel);
  const grids = [...variants.values()]
    .map((runs) => [...runs].sort((a, b) => a.seed - b.seed)[0])
    .map((run) => (run ? imageGrid(title, run) : undefined))
    .filter((grid): grid is ImageGridFigure => grid !== undefined);
  const hasMetric = (key: string) => [...variants.values()].some((runs) => runs.some((run) => metricSeries(run.rows, key).values.length > 0));
  const hasFid = hasMetric('fid');
  const hasClassMetrics = hasMetric('classDivergence');
  return {
    id: `${definition.name}-${caseLabel}`,
    title: `${title}: NS against MM-nsat (${definition.figure})`,
    text: [
      `Adam α 1e-4, β1 0.5, β2 0.999, batch ${settings.batchSize}, costs averaged over the batch, ${settings.seeds.length} seed(s) per variant (${scale} scale).`,
      settings.note,
      ...texts,
    ],
    figures: [
      ...(hasFid ? [fidFigure(title, variants, settings)] : []),
      ...(hasClassMetrics ? classMetricFigures(title, variants, settings) : []),
      ...grids,
    ],
    tables: [...(hasFid ? [collapseTable(title, variants)] : []), ...(hasClassMetrics ? [classMetricTable(title, variants)] : [])],
  };
}

function notRunResult(definition: ImageExperimentDefinition, scale: Scale, reason: string, started: number): ExperimentResult {
  return {
    experiment: definition.name,
    scale,
    sections: [
      {
        id: `${definition.name}-not-run`,
        title: `${definition.datasetTitle}: NS against MM-nsat (${definition.figure}), not run`,
        text: [reason],
        figures: [],
        tables: [],
      },
    ],
    claims: [{ id: definition.claim, title: CLAIM_TITLES[definition.claim], verdict: 'not run', evidence: reason, sources: [] }],
    runs: [],
    seconds: (performance.now() - started) / 1000,
  };
}

function planned(definition: ImageExperimentDefinition, settings: ImageScaleSettings, context: ExperimentContext, trainingImages: (setup: ImageSetupOptions) => number) {
  const variants = IMAGE_VARIANTS.filter((variant) => settings.variants.includes(variant.label));
  return settings.networks.flatMap((network) => {
    const setup: ImageSetupOptions = {
      dataset: definition.dataset,
      dataDir: context.dataDir!,
      resolution: network.resolution,
      preset: network.preset,
      width: network.width,
      inception: context.inception,
      evaluationSamples: settings.evaluationSamples,
      referenceSamples: settings.referenceSamples,
      storedSamples: settings.storedSamples,
      cacheDir: imageCacheDir(context),
      allowShortBatches: settings.allowPartialData,
      featureDimension: settings.featureDimension,
      testClassifier: settings.testClassifier,
    };
    if (setup.width === undefined) delete setup.width;
    if (setup.testClassifier === undefined) delete setup.testClassifier;
    if (setup.inception === undefined) delete setup.inception;
    const steps = settings.steps ?? Math.round((settings.epochs * trainingImages(setup)) / settings.batchSize);
    const evaluateEvery = Math.max(1, Math.floor(steps / settings.evaluations));
    return planImageRuns(variants, [setup], settings.seeds, {
      steps,
      batchSize: settings.batchSize,
      logEvery: Math.max(1, Math.min(100, evaluateEvery)),
      evaluateEvery,
      checkpointEvery: Math.max(evaluateEvery, 1000),
      sampleSteps: [steps],
    });
  });
}

/** Builds the experiment of one figure from its definition. */
export function createImageExperiment(definition: ImageExperimentDefinition): Experiment {
  async function run(scale: Scale, context: ExperimentContext): Promise<ExperimentResult> {
    const started = performance.now();
    const settings = definition.scales[scale];
    if (settings === undefined) throw new RangeError(`${definition.name}: no settings for scale ${scale}; it runs at ${Object.keys(definition.scales).join(', ')}`);
    const suite = SUITE_OF_SCALE[scale];
    const dataReason = await datasetNotRunReason(definition.dataset, context, suite, settings.allowPartialData);
    if (dataReason !== undefined) return notRunResult(definition, scale, `${definition.claim} not run: ${dataReason}`, started);

    const fidReason = await fidNotRunReason(context);
    const fidText =
      fidReason === undefined
        ? `FID is the Fréchet distance between InceptionV3 pool features (${settings.featureDimension ?? INCEPTION_FEATURES}) of ${settings.evaluationSamples} generated and ${settings.referenceSamples} real images, from the model in ${context.inception}/${INCEPTION_MODEL_FILE}.`
        : `${fidReason} These runs train and store samples, and no distance is reported for them.`;

    // Steps per epoch depend on the training set's size, which preparing the data finds.
    const setups = planned(definition, { ...settings, steps: 1 }, context, () => 1).map((entry) => entry.setup);
    const prepared = await prepareImageData(setups, context);
    const plan = planned(definition, settings, context, (setup) => prepared.imageCounts.get(dataKey(setup))!);
    const runs = await runAndLoadImages(definition.name, scale, plan, prepared.imageCounts, context);
    const accuracies = [...prepared.classifierAccuracy.values()];
    const texts = accuracies.length > 0 ? [fidText, classMetricText(settings, Math.min(...accuracies))] : [fidText];
    return finish(definition, scale, settings, runs, fidReason, texts, started);
  }

  return {
    name: definition.name,
    figure: definition.figure,
    description: definition.description,
    claims: [definition.claim],
    scales: Object.keys(definition.scales) as Scale[],
    run,
  };
}

function classMetricText(settings: ImageScaleSettings, accuracy: number): string {
  return (
    `Class frequencies come from the suite's CIFAR-10 classifier (test accuracy ${(100 * accuracy).toFixed(1)} % on the test split) on ${settings.evaluationSamples} generated images; ` +
    `D_JS^CD compares them with the training labels' frequencies in bits. The ${CIFAR10_CLASSIFIER_FRECHET_NAME} uses the classifier's 128 penultimate features ` +
    `of those images and of ${settings.referenceSamples} real ones, and is not FID.`
  );
}

function finish(
  definition: ImageExperimentDefinition,
  scale: Scale,
  settings: ImageScaleSettings,
  runs: ImageLoadedRun[],
  fidReason: string | undefined,
  texts: string[],
  started: number,
): ExperimentResult {
  const grouped = new Map<string, Map<string, ImageLoadedRun[]>>();
  for (const entry of runs) {
    const key = definition.caseOf(entry.setup);
    const byVariant = grouped.get(key) ?? new Map<string, ImageLoadedRun[]>();
    byVariant.set(entry.variant.label, [...(byVariant.get(entry.variant.label) ?? []), entry]);
    grouped.set(key, byVariant);
  }
  const sections = [...grouped].map(([key, variants]) => caseSection(definition, scale, key, variants, settings, texts));
  const forRule = new Map<string, RunsByVariant>(
    [...grouped].map(([key, variants]) => [
      key,
      new Map([...variants].map(([label, entries]) => [label, entries.map((entry) => ({ rows: entry.rows, diverged: entry.status?.state === 'diverged' }))])),
    ]),
  );
  const trainedEpochs = Math.min(...runs.map((entry) => (entry.train.steps * (entry.train.batchSize ?? 0)) / entry.trainingImages));
  const sources = runs.map((entry) => `${definition.name}/${scale}/${entry.id}`);
  const claim = definition.verdict(forRule, { trainedEpochs, minEpochs: definition.minEpochs, fidNotRun: fidReason, sources });
  return {
    experiment: definition.name,
    scale,
    sections,
    claims: [claim],
    runs: runs.map((entry) => imageRunSummary(definition.name, entry, ['fid', ...CLASS_METRIC_KEYS, 'gradientNormGenerator'])),
    seconds: (performance.now() - started) / 1000,
  };
}

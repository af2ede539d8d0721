/**
 * Figure 6, table 1 and the MNIST panels of figure 8 of "Sample weighting as an explanation
 * for mode collapse in generative adversarial networks": class coverage of FC-3, FC-4 and
 * Conv-4 GANs trained with NS, MM, MM-nsat, MM-unit and NS-unit. It is measured during
 * training by the class-distribution divergence D_JS^CD (equation 12) and a Fréchet
 * distance on the MNIST classifier's features, with sample grids at the end.
 */
import type { Experiment, ExperimentContext, ExperimentResult, Scale } from '../experiment.ts';
import type { BarFigure, ImageGridFigure, LineFigure, Section, Series, Table } from '../../src/figures.ts';
import { loadMnist, labelFrequencies } from '../../src/data/mnist.ts';
import { CLASSIFIER_FRECHET_NAME } from '../../src/metrics/sampleMetrics.ts';
import type { PresetName } from '../../src/nets/presets.ts';
import { toUnitRange, type MnistSetupOptions } from './mnistSetup.ts';
import {
  evaluatedRunBase,
  formatNumber,
  lastValue,
  medianSeries,
  MNIST_TRAINING_DIGITS,
  planRuns,
  runAndLoad,
  runSummary,
  type LoadedRun,
  type PlannedRun,
  type Variant,
} from './mnistRuns.ts';
import { coverageVerdict, LATE_EVALUATIONS, lateSummary, unitVerdict, type RunsByPreset } from './verdicts.ts';

const NAME = 'mnist-coverage';

export const COVERAGE_VARIANTS: Variant[] = [
  { label: 'NS', id: 'ns', cost: 'ns' },
  { label: 'MM', id: 'mm', cost: 'mm' },
  { label: 'MM-nsat', id: 'mm-nsat', cost: 'mm-nsat' },
  { label: 'MM-unit', id: 'mm-unit', cost: 'mm-unit' },
  { label: 'NS-unit', id: 'ns-unit', cost: 'ns-unit' },
];

interface NetworkPlan {
  setup: MnistSetupOptions;
  epochs: number;
}

interface ScaleSettings {
  variants: string[];
  networks: NetworkPlan[];
  seeds: number[];
  batchSize: number;
  /** Evaluations per run, evenly spaced. */
  evaluations: number;
  /** Steps of the quick scale, which trains less than an epoch. */
  steps?: number;
  note: string;
}

const EVALUATION = { evaluationSamples: 2000, referenceSamples: 10000 };

export const COVERAGE_SCALES: Record<Scale, ScaleSettings> = {
  quick: {
    variants: ['NS', 'MM-nsat'],
    networks: [{ setup: { preset: 'fc-4', evaluationSamples: 1000, referenceSamples: 5000 }, epochs: 0 }],
    seeds: [1],
    batchSize: 32,
    evaluations: 2,
    steps: 80,
    note: 'Quick scale: FC-4 with NS and MM-nsat, one seed, 80 steps of batch 32 (a twentieth of an epoch), 1000 digits per evaluation. It shows the pipeline on real MNIST data; the claims need the longer scales.',
  },
  cpu: {
    variants: COVERAGE_VARIANTS.map((variant) => variant.label),
    networks: [
      { setup: { preset: 'fc-3', ...EVALUATION }, epochs: 2 },
      { setup: { preset: 'fc-4', ...EVALUATION }, epochs: 2 },
      { setup: { preset: 'conv-4', width: 8, ...EVALUATION }, epochs: 1 },
    ],
    seeds: [1, 2],
    batchSize: 128,
    evaluations: 8,
    note: 'CPU scale: two seeds; FC-3 and FC-4 train 2 epochs of batch 128 and Conv-4 one epoch with width m = 8 instead of 32 (a Conv-4 step with m = 32 takes about 4 s on one wasm thread). The paper trains for 1000 epochs, so these runs show the start of the dynamics only. An estimated 1.5 hours on 2 cores with wasm.',
  },
  gpu: {
    variants: COVERAGE_VARIANTS.map((variant) => variant.label),
    networks: [
      { setup: { preset: 'fc-3', ...EVALUATION }, epochs: 1000 },
      { setup: { preset: 'fc-4', ...EVALUATION }, epochs: 1000 },
      { setup: { preset: 'conv-4', ...EVALUATION }, epochs: 200 },
    ],
    seeds: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    batchSize: 128,
    evaluations: 50,
    note: 'GPU scale: ten seeds as in the paper; FC-3 and FC-4 train 1000 epochs of batch 128 (as for figure 6), Conv-4 (m = 32) 200 epochs.',
  },
};

function plan(settings: ScaleSettings): PlannedRun[] {
  const variants = COVERAGE_VARIANTS.filter((variant) => settings.variants.includes(variant.label));
  return settings.networks.flatMap((network) => {
    const steps = settings.steps ?? Math.round((network.epochs * MNIST_TRAINING_DIGITS) / settings.batchSize);
    return planRuns(variants, [network.setup], settings.seeds, evaluatedRunBase(steps, settings.batchSize, settings.evaluations));
  });
}

function groupRuns(runs: LoadedRun[]): RunsByPreset {
  const grouped: RunsByPreset = new Map();
  for (const run of runs) {
    const byVariant = grouped.get(run.setup.preset) ?? new Map<string, LoadedRun[]>();
    byVariant.set(run.variant.label, [...(byVariant.get(run.variant.label) ?? []), run]);
    grouped.set(run.setup.preset, byVariant);
  }
  return grouped;
}

const PRESET_TITLES: Record<PresetName, string> = { 'fc-3': 'FC-3', 'fc-4': 'FC-4', 'conv-4': 'Conv-4' };

function metricFigure(preset: PresetName, variants: Map<string, LoadedRun[]>, key: string, title: string, yTitle: string): LineFigure {
  const series = [...variants].map(([label, runs]) => medianSeries(label, runs, key));
  return {
    kind: 'line',
    title: `${PRESET_TITLES[preset]}: ${title} (median over seeds, band: min–max)`,
    x: { title: 'training step (G updates)' },
    y: { title: yTitle },
    series: series.filter((entry): entry is Series => entry !== undefined),
  };
}

/** Median over seeds of each class's final generated frequency. */
function finalFrequencies(runs: LoadedRun[]): number[] | undefined {
  const perRun = runs
    .map((run) => {
      for (let i = run.rows.length - 1; i >= 0; i--) {
        const value = run.rows[i].classFrequencies;
        if (Array.isArray(value)) return value;
      }
      return undefined;
    })
    .filter((value): value is number[] => value !== undefined);
  if (perRun.length === 0) return undefined;
  return perRun[0].map((_, k) => {
    const sorted = perRun.map((frequencies) => frequencies[k]).sort((a, b) => a - b);
    return sorted[sorted.length >> 1];
  });
}

function imageGrid(preset: PresetName, label: string, run: LoadedRun): ImageGridFigure | undefined {
  const samples = run.samples;
  if (samples === null || samples.shape.length !== 4) return undefined;
  const [count, height, width, channels] = samples.shape;
  const pixels = toUnitRange(samples.data);
  const images = Array.from({ length: count }, (_, n) =>
    Array.from({ length: height }, (_, y) =>
      Array.from({ length: width }, (_, x) => {
        const offset = ((n * height + y) * width + x) * channels;
        return pixels.slice(offset, offset + channels);
      }),
    ),
  );
  return {
    kind: 'images',
    title: `${PRESET_TITLES[preset]} ${label}, seed ${run.seed}: ${count} samples at step ${samples.step}`,
    images,
    columns: 8,
  };
}

function presetSection(preset: PresetName, variants: Map<string, LoadedRun[]>, realFrequencies: number[], scale: Scale, note: string): Section {
  const labels = [...variants.keys()];
  const frequencies = new Map(labels.map((label) => [label, finalFrequencies(variants.get(label)!)]));
  const percent = (value: number | undefined) => (value === undefined ? '–' : (100 * value).toFixed(1));

  const classTable: Table = {
    title:
      `${PRESET_TITLES[preset]}: final class frequencies in % (median over seeds), late D_JS^CD (each run's mean over its ` +
      `last ${LATE_EVALUATIONS} evaluations, median over seeds) and final ${CLASSIFIER_FRECHET_NAME} (table 1)`,
    columns: ['data', ...Array.from({ length: 10 }, (_, k) => `digit ${k}`), 'late D_JS^CD', CLASSIFIER_FRECHET_NAME],
    rows: [
      ['MNIST training labels', ...realFrequencies.map(percent), '0', '0'],
      ...labels.map((label) => {
        const runs = variants.get(label)!;
        const late = lateSummary(runs);
        const frechet = runs.map((run) => lastValue(run.rows, 'frechetDistance')).filter((value): value is number => value !== undefined);
        const frequency = frequencies.get(label);
        return [
          label,
          ...Array.from({ length: 10 }, (_, k) => percent(frequency?.[k])),
          formatNumber(late?.median),
          formatNumber(frechet.length > 0 ? frechet.sort((a, b) => a - b)[frechet.length >> 1] : undefined),
        ];
      }),
    ],
  };
  const bars: BarFigure = {
    kind: 'bar',
    title: `${PRESET_TITLES[preset]}: final class frequencies of generated digits (median over seeds) and of the training labels`,
    x: { title: 'digit', categories: Array.from({ length: 10 }, (_, k) => String(k)) },
    y: { title: 'frequency' },
    // The costs come first, so that each keeps the colour it has in the section's line plots.
    series: [
      ...labels.flatMap((label) => {
        const values = frequencies.get(label);
        return values ? [{ name: label, values }] : [];
      }),
      { name: 'MNIST', values: realFrequencies },
    ],
  };
  const grids = labels
    .map((label) => {
      const first = [...variants.get(label)!].sort((a, b) => a.seed - b.seed)[0];
      return first ? imageGrid(preset, label, first) : undefined;
    })
    .filter((grid): grid is ImageGridFigure => grid !== undefined);

  return {
    id: `${NAME}-${preset}`,
    title: `MNIST ${PRESET_TITLES[preset]}: class coverage of NS, MM and their variants (fig. 6, 8, table 1)`,
    text: [
      `${PRESET_TITLES[preset]} G and D on MNIST padded to 32×32, Adam α 1e-4, β1 0.5, β2 0.999, costs averaged over the batch; mm-unit and ns-unit rescale G's gradient to norm 1.`,
      note,
      `Class frequencies come from the suite's MNIST classifier (≥ 98.5 % test accuracy) on the generated digits; D_JS^CD compares them with the training labels' frequencies in bits. The ${CLASSIFIER_FRECHET_NAME} uses its 128 penultimate features and is not FID.`,
      `Expect MM-nsat and MM-unit to keep D_JS^CD lower than NS and NS-unit as training goes on; early in training NS can be as good (${scale} scale).`,
    ],
    figures: [
      metricFigure(preset, variants, 'classDivergence', 'class divergence D_JS^CD during training', 'D_JS^CD (bits)'),
      metricFigure(preset, variants, 'frechetDistance', `${CLASSIFIER_FRECHET_NAME} during training`, CLASSIFIER_FRECHET_NAME),
      bars,
      ...grids,
    ],
    tables: [classTable],
  };
}

async function run(scale: Scale, context: ExperimentContext): Promise<ExperimentResult> {
  const started = performance.now();
  const settings = COVERAGE_SCALES[scale];
  const planned = plan(settings);
  const runs = await runAndLoad(NAME, scale, planned, context);
  const grouped = groupRuns(runs);
  const realFrequencies = labelFrequencies(loadMnist({ split: 'train' }));

  const sections = [...grouped].map(([preset, variants]) =>
    presetSection(preset as PresetName, variants, realFrequencies, scale, settings.note),
  );
  const trainedEpochs = Math.min(...runs.map((entry) => (entry.train.steps * entry.train.batchSize!) / MNIST_TRAINING_DIGITS));
  const sources = runs.map((entry) => `${NAME}/${scale}/${entry.id}`);
  return {
    experiment: NAME,
    scale,
    sections,
    claims: [coverageVerdict(grouped, trainedEpochs, sources), unitVerdict(grouped, trainedEpochs, sources)],
    runs: runs.map((entry) => runSummary(NAME, entry, ['classDivergence', 'frechetDistance', 'gradientNormGenerator'])),
    seconds: (performance.now() - started) / 1000,
  };
}

export const mnistCoverage: Experiment = {
  name: NAME,
  figure: 'fig. 6, 8, table 1',
  description: 'MNIST class coverage of NS, MM, MM-nsat, MM-unit and NS-unit with FC-3, FC-4 and Conv-4',
  claims: ['C11', 'C13'],
  scales: ['quick', 'cpu', 'gpu'],
  run,
};

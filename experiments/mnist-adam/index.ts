/**
 * Figure 11 (supplement L.1) of "Sample weighting as an explanation for mode collapse in
 * generative adversarial networks": MM on MNIST with FC-4 networks under five Adam
 * settings. MM's updates vanish with the default β2 = 0.999 for both players and with
 * β2 = 0.99 for both; lowering only G's β2 or resetting G's Adam state avoids it; lowering
 * only D's β2 makes it earlier and deeper. MM and MM-β2 are mnist-saturation's runs, reused.
 */
import type { Experiment, ExperimentContext, ExperimentResult, Scale } from '../experiment.ts';
import type { LineFigure, Section, Series, Table } from '../../src/figures.ts';
import { MM_BETA2_GENERATOR_BETA2 } from '../../src/train/config.ts';
import type { MnistSetupOptions } from '../mnist-coverage/mnistSetup.ts';
import {
  formatNumber,
  medianSeries,
  MNIST_TRAINING_DIGITS,
  planRuns,
  runAndLoad,
  runSummary,
  type LoadedRun,
  type PlannedRun,
  type Variant,
} from '../mnist-coverage/mnistRuns.ts';
import { SATURATION_SCALES, SATURATION_SETUP, SATURATION_VARIANTS, saturationRunBase } from '../mnist-saturation/index.ts';
import { configMismatches } from '../mnist-variants/evaluatedRuns.ts';
import { adamVerdict, updateMeasures, VANISH_FRACTION } from './verdict.ts';
import { describeCompletion } from '../experimentRuns.ts';

const NAME = 'mnist-adam';
const SATURATION_EXPERIMENT = 'mnist-saturation';

/**
 * Steps between resets of G's Adam moments and step count. Half of the second moment's
 * memory 1/(1 − β2) = 1000 steps: a large gradient stops ruling v within at most 500
 * steps, and Adam still runs 500 ordinary steps, its bias correction included, between
 * resets. At batch 128 it is about once an epoch, so the cpu scale resets four times.
 */
export const ADAM_RESET_EVERY = 500;

/** mnist-saturation's MM and MM-β2, reused unchanged. */
const REUSED_LABELS = ['MM', 'MM-β2'];
const BOTH_LABEL = 'MM, β2 0.99 both';
const DISCRIMINATOR_LABEL = 'MM, D β2 0.99';
const RESET_LABEL = `MM, G Adam reset every ${ADAM_RESET_EVERY}`;

export const ADAM_VARIANTS: Variant[] = [
  ...SATURATION_VARIANTS.filter((variant) => REUSED_LABELS.includes(variant.label)),
  {
    label: BOTH_LABEL,
    id: 'mm-beta2-both',
    cost: 'mm',
    train: { generatorAdam: { beta2: MM_BETA2_GENERATOR_BETA2 }, discriminatorAdam: { beta2: MM_BETA2_GENERATOR_BETA2 } },
  },
  { label: DISCRIMINATOR_LABEL, id: 'mm-beta2-discriminator', cost: 'mm', train: { discriminatorAdam: { beta2: MM_BETA2_GENERATOR_BETA2 } } },
  { label: RESET_LABEL, id: `mm-reset-${ADAM_RESET_EVERY}`, cost: 'mm', train: { resetGeneratorAdamEvery: ADAM_RESET_EVERY } },
];

export interface AdamScaleSettings {
  setup: MnistSetupOptions;
  seeds: number[];
  batchSize: number;
  steps: number;
  logEvery: number;
  note: string;
}

/** Returns the scales, on mnist-saturation's settings so that its MM and MM-β2 runs are reused. */
export function adamScales(): Record<'cpu' | 'gpu', AdamScaleSettings> {
  const setup = SATURATION_SETUP;
  const { cpu, gpu } = SATURATION_SCALES;
  return {
    cpu: {
      setup,
      seeds: cpu.seeds,
      batchSize: cpu.batchSize,
      steps: cpu.steps,
      logEvery: cpu.logEvery,
      note:
        `CPU scale: as mnist-saturation's cpu runs, two seeds, 5 epochs of batch 128 (${cpu.steps} steps), diagnostics every ${cpu.logEvery} steps; ` +
        'the paper trains longer and shows one run per setting. Time: the 6 new runs took 30 minutes on 2 cores ' +
        'with wasm (about 45 more if mnist-saturation has not trained MM and MM-β2).',
    },
    gpu: {
      setup,
      seeds: gpu.seeds,
      batchSize: gpu.batchSize,
      steps: gpu.steps,
      logEvery: gpu.logEvery,
      note: `GPU scale: as mnist-saturation's gpu runs, three seeds, 10 epochs of batch 128, diagnostics every ${gpu.logEvery} steps.`,
    },
  };
}

/** Plans the reused runs (mnist-saturation's ids and configs) and this experiment's own. */
export function planAdamRuns(settings: AdamScaleSettings): { reused: PlannedRun[]; own: PlannedRun[] } {
  const base = saturationRunBase(settings);
  const isReused = (variant: Variant) => REUSED_LABELS.includes(variant.label);
  return {
    reused: planRuns(ADAM_VARIANTS.filter(isReused), [settings.setup], settings.seeds, base),
    own: planRuns(ADAM_VARIANTS.filter((variant) => !isReused(variant)), [settings.setup], settings.seeds, base),
  };
}

function lineFigure(title: string, yTitle: string, series: (Series | undefined)[], stepsPerEpoch: number, steps: number): LineFigure {
  const markers = [];
  for (let epoch = 1; epoch * stepsPerEpoch < steps; epoch++) {
    markers.push({ axis: 'x' as const, value: epoch * stepsPerEpoch, label: `epoch ${epoch}` });
  }
  return {
    kind: 'line',
    title: `${title} (median over seeds, band: min–max)`,
    x: { title: 'training step (G updates)' },
    y: { title: yTitle, log: true },
    series: series.filter((entry): entry is Series => entry !== undefined),
    markers,
  };
}

function adamColumns(variant: Variant): string[] {
  const generator = variant.train?.generatorAdam?.beta2 ?? 0.999;
  const discriminator = variant.train?.discriminatorAdam?.beta2 ?? 0.999;
  const reset = variant.train?.resetGeneratorAdamEvery;
  return [String(generator), String(discriminator), reset ? `every ${reset} steps` : 'never'];
}

/** Trains (or finds) every run at these settings and builds the section and the verdict. */
export async function runAdam(settings: AdamScaleSettings, scale: Scale, context: ExperimentContext): Promise<ExperimentResult> {
  const started = performance.now();
  const plan = planAdamRuns(settings);
  const reused = await runAndLoad(SATURATION_EXPERIMENT, scale, plan.reused, context);
  const own = await runAndLoad(NAME, scale, plan.own, context);
  const mismatched = await configMismatches(context.runsDir, SATURATION_EXPERIMENT, scale, plan.reused);
  const all = [...reused, ...own];
  const byVariant = (label: string) => all.filter((run) => run.variant.label === label);
  const stepsPerEpoch = MNIST_TRAINING_DIGITS / settings.batchSize;
  const trainedEpochs = settings.steps / stepsPerEpoch;

  const perVariant = (key: string) => ADAM_VARIANTS.map((variant) => medianSeries(variant.label, byVariant(variant.label), key));
  const figures = [
    lineFigure("G's Adam update norm |Δθ| during training, FC-4 on MNIST", '|Δθ| (log scale)', perVariant('updateNormGenerator'), stepsPerEpoch, settings.steps),
    lineFigure("G's gradient norm ‖∇θ J_G‖", '‖∇θ J_G‖ (log scale)', perVariant('gradientNormGenerator'), stepsPerEpoch, settings.steps),
    lineFigure("D's Adam update norm |Δφ|", '|Δφ| (log scale)', perVariant('updateNormDiscriminator'), stepsPerEpoch, settings.steps),
  ];

  const updates = ADAM_VARIANTS.map((variant) => updateMeasures(variant.label, byVariant(variant.label), stepsPerEpoch));
  const gradients = ADAM_VARIANTS.map((variant) => updateMeasures(variant.label, byVariant(variant.label), stepsPerEpoch, 'gradientNormGenerator'));
  const table: Table = {
    title: "G's update norm |Δθ| and gradient norm at the end relative to the first epoch (medians over seeds)",
    columns: [
      'variant',
      "G's β2",
      "D's β2",
      "G's Adam reset",
      'first-epoch |Δθ|',
      'end / first-epoch |Δθ|',
      'largest late / first-epoch |Δθ|',
      `first step |Δθ| < ${VANISH_FRACTION} of first epoch`,
      'end / first-epoch ‖∇θ‖',
      'runs complete',
    ],
    rows: ADAM_VARIANTS.map((variant, i) => {
      const runs = byVariant(variant.label);
      return [
        variant.label,
        ...adamColumns(variant),
        formatNumber(updates[i].reference),
        formatNumber(updates[i].endRatio),
        formatNumber(updates[i].endMaximumRatio),
        Number.isFinite(updates[i].vanishStep) ? String(updates[i].vanishStep) : 'never',
        formatNumber(gradients[i].endRatio),
        describeCompletion(runs.map((run) => run.status)),
      ];
    }),
  };

  const text = [
    'FC-4 networks (three hidden layers of 512 ReLU units in G and D) on MNIST padded to 32×32, the MM cost, Adam with α 1e-4, β1 0.5 and β2 0.999 for both players unless the variant says otherwise. Resetting G\'s Adam state zeroes both moments and restarts the bias correction every ' +
      `${ADAM_RESET_EVERY} steps, half the second moment's memory 1/(1 − β2) = 1000 steps, about once an epoch at batch 128.`,
    settings.note,
    "Expect MM's update norm to dip and recover, then vanish for good after about three epochs, with β2 0.999 for both and with 0.99 for both; lowering only G's β2 or resetting G's Adam keeps the updates alive, and lowering only D's β2 makes them vanish earlier and deeper.",
  ];
  if (mismatched.length > 0) {
    text.push(`Warning: the reused runs ${mismatched.join(', ')} were trained by mnist-saturation with settings other than these; their figures are not comparable.`);
  }
  const section: Section = {
    id: NAME,
    title: "MNIST FC-4: MM under different Adam settings; lowering only G's β2 or resetting G's Adam avoids vanishing updates (fig. 11)",
    text,
    figures,
    tables: [table],
  };

  const measure = (label: string) => updates[ADAM_VARIANTS.findIndex((variant) => variant.label === label)];
  const sources = [
    ...reused.map((run) => `${SATURATION_EXPERIMENT}/${scale}/${run.id}`),
    ...own.map((run) => `${NAME}/${scale}/${run.id}`),
  ];
  const verdict = adamVerdict(
    {
      mm: measure('MM'),
      generatorBeta2: measure('MM-β2'),
      generatorReset: measure(RESET_LABEL),
      discriminatorBeta2: measure(DISCRIMINATOR_LABEL),
      bothBeta2: measure(BOTH_LABEL),
    },
    trainedEpochs,
    sources,
  );

  const keys = ['gradientNormGenerator', 'updateNormGenerator', 'updateNormDiscriminator'];
  return {
    experiment: NAME,
    scale,
    sections: [section],
    claims: [verdict],
    runs: [...reused.map((run: LoadedRun) => runSummary(SATURATION_EXPERIMENT, run, keys)), ...own.map((run) => runSummary(NAME, run, keys))],
    seconds: (performance.now() - started) / 1000,
  };
}

export const mnistAdam: Experiment = {
  name: NAME,
  figure: 'fig. 11',
  description: "FC-4 on MNIST: MM's updates vanish under Adam unless G's β2 alone is lowered or G's Adam is reset",
  claims: ['C14'],
  scales: ['cpu', 'gpu'],
  run: (scale, context) => {
    if (scale === 'quick') throw new RangeError(`${NAME}: scale must be cpu or gpu, received ${scale}`);
    return runAdam(adamScales()[scale], scale, context);
  },
};

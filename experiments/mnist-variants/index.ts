/**
 * Figures 15, 16 and 17 of "Sample weighting as an explanation for mode collapse in
 * generative adversarial networks" on MNIST with FC-4 networks: class coverage of linear
 * combinations of NS with MM and with MM-nsat (fig. 15, supplement N), of costs whose
 * scaling factor adds a constant or takes a power (fig. 16, supplement O), and of Hinge and
 * LS (fig. 17, supplement P), each against NS and MM-nsat. NS, MM and MM-nsat are
 * mnist-coverage's FC-4 runs, reused.
 */
import type { Experiment, ExperimentContext, ExperimentResult, Scale } from '../experiment.ts';
import type { Section } from '../../src/figures.ts';
import { CLASSIFIER_FRECHET_NAME } from '../../src/metrics/sampleMetrics.ts';
import { runSummary, type LoadedRun, type Variant } from '../mnist-coverage/mnistRuns.ts';
import { coverageFigures, coverageTable, type LabelledRuns } from './evaluatedSections.ts';
import {
  COVERAGE_EXPERIMENT,
  coverageFc4Settings,
  coverageVariants,
  planEvaluatedRuns,
  runReusedAndOwn,
  variantId,
  type EvaluatedRunSettings,
} from './evaluatedRuns.ts';
import { emphasis, gradualDroppingVerdict, orderingVerdict, type OrderedVariant } from './verdicts.ts';

const NAME = 'mnist-variants';

export type VariantFigure = 'fig. 15' | 'fig. 16' | 'fig. 17';

/** A cost this experiment trains, with the figure that shows it. */
export interface CostVariant {
  label: string;
  cost: string;
  figure: VariantFigure;
}

/**
 * The paper's a ∈ {1/3, 2/3, 9/10} for the combinations, rounded in the cost name. For the
 * additive variants a = 0.5 halves the extra emphasis of the scaling factor at D_p = ½
 * (two-mode slope 1.25 for NS-add, 0.75 for MM-nsat-add) and a = 2 leaves a fifth of it
 * (1.1 and 0.9): two clearly different steps towards uniform weighting.
 */
export const VARIANT_COSTS: CostVariant[] = [
  { label: 'NS+MM-nsat(0.33)', cost: 'ns+mm-nsat(0.33)', figure: 'fig. 15' },
  { label: 'NS+MM-nsat(0.67)', cost: 'ns+mm-nsat(0.67)', figure: 'fig. 15' },
  { label: 'NS+MM-nsat(0.9)', cost: 'ns+mm-nsat(0.9)', figure: 'fig. 15' },
  { label: 'NS+MM(0.33)', cost: 'ns+mm(0.33)', figure: 'fig. 15' },
  { label: 'NS+MM(0.67)', cost: 'ns+mm(0.67)', figure: 'fig. 15' },
  { label: 'NS+MM(0.9)', cost: 'ns+mm(0.9)', figure: 'fig. 15' },
  { label: 'NS-add-0.5', cost: 'ns-add-0.5', figure: 'fig. 16' },
  { label: 'NS-add-2', cost: 'ns-add-2', figure: 'fig. 16' },
  { label: 'MM-nsat-add-0.5', cost: 'mm-nsat-add-0.5', figure: 'fig. 16' },
  { label: 'MM-nsat-add-2', cost: 'mm-nsat-add-2', figure: 'fig. 16' },
  { label: 'NS-exp-2', cost: 'ns-exp-2', figure: 'fig. 16' },
  { label: 'MM-nsat-exp-2', cost: 'mm-nsat-exp-2', figure: 'fig. 16' },
  { label: 'NS-exp-0.5', cost: 'ns-exp-0.5', figure: 'fig. 16' },
  { label: 'Hinge', cost: 'hinge', figure: 'fig. 17' },
  { label: 'LS', cost: 'ls', figure: 'fig. 17' },
];

export interface VariantsScaleSettings {
  runs: EvaluatedRunSettings;
  /** Costs of VARIANT_COSTS trained at this scale. */
  costs: string[];
  /** mnist-coverage's variants reused as the ends: NS and MM-nsat, and MM where NS+MM runs. */
  reused: string[];
  note: string;
}

/** Scales with their settings; the reused runs' settings must stay mnist-coverage's own. */
export function variantsScales(): Record<'cpu' | 'gpu', VariantsScaleSettings> {
  return {
    cpu: {
      runs: coverageFc4Settings('cpu'),
      costs: ['ns+mm-nsat(0.33)', 'ns+mm-nsat(0.67)', 'ns-add-0.5', 'mm-nsat-add-0.5', 'ns-exp-2', 'mm-nsat-exp-2', 'hinge', 'ls'],
      reused: ['NS', 'MM-nsat'],
      note:
        'CPU scale: as mnist-coverage\'s FC-4 runs, two seeds, 2 epochs of batch 128 (938 steps) and 8 evaluations on ' +
        '2000 generated digits, whose NS and MM-nsat runs it reuses. Cut from the paper: 8 of its 15 variants (no ' +
        'NS+MM combinations, NS+MM-nsat at a = 0.33 and 0.67 only, one a for the additive variants, no NS-exp-0.5), ' +
        'two seeds instead of ten and 2 of 1000 epochs, so the runs show the start of training only. Time: a pair of ' +
        'these runs took about 6.5 minutes on 2 cores with wasm, evaluations included, so the 16 new runs take about ' +
        '52 minutes (13 more if mnist-coverage has not trained NS and MM-nsat).',
    },
    gpu: {
      runs: coverageFc4Settings('gpu'),
      costs: VARIANT_COSTS.map((variant) => variant.cost),
      reused: ['NS', 'MM', 'MM-nsat'],
      note: 'GPU scale: as in the paper, ten seeds and 1000 epochs of batch 128 for every variant, 50 evaluations per run.',
    },
  };
}

function costVariant(cost: string): CostVariant {
  const found = VARIANT_COSTS.find((variant) => variant.cost === cost);
  if (found === undefined) throw new RangeError(`mnist-variants: unknown variant cost ${JSON.stringify(cost)}`);
  return found;
}

/** Plans the runs this experiment trains itself, variant × seed, with ids from the cost names. */
export function planVariantRuns(settings: VariantsScaleSettings) {
  const variants: Variant[] = settings.costs.map((cost) => ({ label: costVariant(cost).label, id: variantId(cost), cost }));
  return planEvaluatedRuns(variants, settings.runs);
}

/** mnist-coverage's runs of the ends, with its own ids and configs. */
export function planReusedRuns(settings: VariantsScaleSettings) {
  return planEvaluatedRuns(coverageVariants(settings.reused), settings.runs);
}

function byLabel(runs: LoadedRun[], label: string): LoadedRun[] {
  return runs.filter((run) => run.variant.label === label);
}

/** Trains (or finds) every run at these settings and builds the sections and verdicts. */
export async function runVariants(settings: VariantsScaleSettings, scale: Scale, context: ExperimentContext): Promise<ExperimentResult> {
  const started = performance.now();
  const { reused, own, mismatched } = await runReusedAndOwn(NAME, COVERAGE_EXPERIMENT, scale, planReusedRuns(settings), planVariantRuns(settings), context);
  const all = [...reused, ...own];
  const groupOf = (label: string): LabelledRuns => ({ label, runs: byLabel(all, label) });
  const trained = (figure: VariantFigure) => settings.costs.map(costVariant).filter((variant) => variant.figure === figure);
  const ends = settings.reused.map(groupOf);

  const epochs = (settings.runs.steps * settings.runs.batchSize) / 60000;
  const shared = [
    `FC-4 G and D (three hidden layers of 512 ReLU units) on MNIST padded to 32×32, Adam α 1e-4, β1 0.5, β2 0.999, costs averaged over the batch, ${epochs.toFixed(1)} epochs. D_JS^CD compares the generated digits' class frequencies (the suite's MNIST classifier) with the training labels' in bits; the ${CLASSIFIER_FRECHET_NAME} uses the classifier's 128 penultimate features and is not FID.`,
    settings.note,
  ];
  if (mismatched.length > 0) {
    shared.push(`Warning: the reused runs ${mismatched.join(', ')} were trained by mnist-coverage with settings other than these; their figures are not comparable.`);
  }
  const withEmphasis = {
    columns: ['emphasis (two-mode slope)'],
    cells: (group: LabelledRuns) => {
      const cost = group.runs[0]?.variant.cost;
      return [cost === undefined ? '–' : emphasis(cost).toFixed(2)];
    },
  };
  const section = (figure: VariantFigure, title: string, expectation: string, groups: LabelledRuns[]): Section => ({
    id: `${NAME}-${figure.replace(/\W+/g, '')}`,
    title,
    text: [...shared, expectation],
    figures: coverageFigures(groups, `FC-4, ${figure}`),
    tables: [coverageTable(`FC-4 (${figure}): late and best values, median (min–max) over seeds`, groups, withEmphasis)],
  });

  const sections: Section[] = [];
  const combinations = trained('fig. 15');
  if (combinations.length > 0) {
    sections.push(
      section(
        'fig. 15',
        'MNIST FC-4: linear combinations of NS with MM and with MM-nsat (fig. 15)',
        'Expect NS+MM-nsat(a) between NS and MM-nsat in the order of a, because both terms have about the same gradient magnitude; NS+MM(a) stays close to NS, because MM\'s term is small where D_p(G(z)) is small. Emphasis is the two-mode slope of the scaling factor (NS 1.5, MM and MM-nsat 0.5): higher means more weight on overrepresented samples.',
        [...ends, ...combinations.map((variant) => groupOf(variant.label))],
      ),
    );
  }
  const scaling = trained('fig. 16');
  if (scaling.length > 0) {
    sections.push(
      section(
        'fig. 16',
        'MNIST FC-4: scaling factors with an added constant or a power (fig. 16)',
        'Expect the additive variants between NS and MM-nsat in the order of their emphasis, MM-nsat-exp-2 (emphasis 0) at least as good as MM-nsat and NS-exp-2 (emphasis 2) unstable.',
        [...ends, ...scaling.map((variant) => groupOf(variant.label))],
      ),
    );
  }
  const others = trained('fig. 17');
  if (others.length > 0) {
    sections.push(
      section(
        'fig. 17',
        'MNIST FC-4: Hinge and LS against NS and MM-nsat (fig. 17)',
        'Expect Hinge to follow NS\'s course (D_JS^CD first falls, then rises as modes drop) at better values, and LS to be more erratic. Both also change D\'s cost, so their emphasis is G\'s alone.',
        [...ends, ...others.map((variant) => groupOf(variant.label))],
      ),
    );
  }

  const member = (variant: { label: string; cost: string }): OrderedVariant => ({ ...variant, runs: byLabel(all, variant.label) });
  const nsEnd = { label: 'NS', cost: 'ns' };
  const nsatEnd = { label: 'MM-nsat', cost: 'mm-nsat' };
  const families = [
    {
      name: 'NS+MM-nsat combinations',
      members: [nsEnd, ...combinations.filter((variant) => variant.cost.startsWith('ns+mm-nsat(')), nsatEnd].map(member),
    },
    { name: 'scaling-factor variants', members: [nsEnd, ...scaling, nsatEnd].map(member) },
  ];
  const sources = [
    ...reused.map((run) => `${COVERAGE_EXPERIMENT}/${scale}/${run.id}`),
    ...own.map((run) => `${NAME}/${scale}/${run.id}`),
  ];
  const claims = [
    orderingVerdict(families, byLabel(all, 'NS'), byLabel(all, 'MM-nsat'), sources),
    gradualDroppingVerdict({ NS: byLabel(all, 'NS'), 'MM-nsat': byLabel(all, 'MM-nsat'), Hinge: byLabel(all, 'Hinge'), LS: byLabel(all, 'LS') }, sources),
  ];

  return {
    experiment: NAME,
    scale,
    sections,
    claims,
    runs: [
      ...reused.map((run) => runSummary(COVERAGE_EXPERIMENT, run, ['classDivergence', 'frechetDistance'])),
      ...own.map((run) => runSummary(NAME, run, ['classDivergence', 'frechetDistance'])),
    ],
    seconds: (performance.now() - started) / 1000,
  };
}

export const mnistVariants: Experiment = {
  name: NAME,
  figure: 'fig. 15, 16, 17',
  description: 'FC-4 on MNIST: class coverage of NS/MM/MM-nsat combinations, scaling-factor variants, Hinge and LS',
  claims: ['C15', 'C17'],
  scales: ['cpu', 'gpu'],
  run: (scale, context) => {
    if (scale === 'quick') throw new RangeError(`${NAME}: scale must be cpu or gpu, received ${scale}`);
    return runVariants(variantsScales()[scale], scale, context);
  },
};

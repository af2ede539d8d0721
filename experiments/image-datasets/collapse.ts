/**
 * The rules behind claims C18 (CIFAR-10 Conv-4: NS collapses, MM-nsat stays stable, fig. 8)
 * and C19 (CAT 128² and FFHQ 32²–512²: NS collapses early, MM-nsat trains, fig. 21, 23).
 *
 * A run's collapse ratio is its late FID over its best FID: the late FID is the median of
 * the last quarter of its evaluations (at least two), the best is the lowest FID it ever
 * reached. A run that diverged (a NaN or infinite loss) counts as collapsed. A variant has
 * collapsed when the median ratio over its seeds exceeds COLLAPSE_FACTOR.
 *
 * C18 holds when on Conv-4 NS has collapsed and MM-nsat has not, and on Conv-4-sn (spectral
 * norm, the bottom row of fig. 8) their late FIDs stay within CLOSE_FACTOR of each other.
 * C19 holds for one network and resolution when NS has collapsed, MM-nsat has not, and
 * MM-nsat's late FID is below NS's; it holds for a dataset when it holds for most of the
 * networks or resolutions that ran.
 */
import { CLAIM_TITLES, type ClaimOutcome } from '../../src/claims/claim.ts';
import type { MetricRow } from '../../src/train/runStore.ts';
import { median, metricSeries } from '../mnist-coverage/mnistRuns.ts';

/**
 * Ratio of late to best FID above which a run counts as collapsed. A 50 % rise is a chosen
 * margin above evaluation noise, not one calibrated on measured runs.
 */
// NOTE: the factor is a judgement, not calibrated on measured runs of these figures.
export const COLLAPSE_FACTOR = 1.5;
/** Largest ratio between NS's and MM-nsat's late FID that still counts as close on Conv-4-sn. */
export const CLOSE_FACTOR = 1.25;
/** Fraction of a run's evaluations that form its late window. */
export const LATE_FRACTION = 0.25;
/** Evaluations a run needs before its late window means anything (a window of two). */
export const MIN_EVALUATIONS = 8;

/** One run as the rules see it: its metric rows and whether it diverged. */
export interface CollapseRun {
  rows: MetricRow[];
  diverged: boolean;
}

export interface RunCollapse {
  best: number;
  late: number;
  ratio: number;
}

export interface VariantCollapse {
  runs: number;
  diverged: number;
  medianBest: number;
  medianLate: number;
  medianRatio: number;
  collapsed: boolean;
}

/** Returns a run's best, late and ratio, or undefined when it has too few evaluations. */
export function runCollapse(run: CollapseRun, key: string): RunCollapse | undefined {
  const { values } = metricSeries(run.rows, key);
  if (run.diverged) {
    const best = values.length > 0 ? Math.min(...values) : Number.NaN;
    return { best, late: Number.POSITIVE_INFINITY, ratio: Number.POSITIVE_INFINITY };
  }
  if (values.length < MIN_EVALUATIONS) return undefined;
  const window = Math.max(2, Math.round(values.length * LATE_FRACTION));
  const best = Math.min(...values);
  const late = median(values.slice(-window));
  return { best, late, ratio: best > 0 ? late / best : Number.POSITIVE_INFINITY };
}

/** Summarises a variant's runs, or returns undefined when any run has too few evaluations. */
export function variantCollapse(runs: CollapseRun[], key: string): VariantCollapse | undefined {
  if (runs.length === 0) return undefined;
  const measured = runs.map((run) => runCollapse(run, key));
  if (measured.some((entry) => entry === undefined)) return undefined;
  const entries = measured as RunCollapse[];
  const medianRatio = median(entries.map((entry) => entry.ratio));
  return {
    runs: runs.length,
    diverged: runs.filter((run) => run.diverged).length,
    medianBest: median(entries.map((entry) => entry.best)),
    medianLate: median(entries.map((entry) => entry.late)),
    medianRatio,
    collapsed: medianRatio > COLLAPSE_FACTOR,
  };
}

/** Variant label → its runs, for one network (and resolution). */
export type RunsByVariant = Map<string, CollapseRun[]>;

/** Inputs of every verdict besides the runs. */
export interface VerdictContext {
  /** Epochs the shortest run trained. */
  trainedEpochs: number;
  /** Epochs the rule needs. */
  minEpochs: number;
  /** Reason FID was not measured, when it was not. */
  fidNotRun?: string;
  sources: string[];
}

function describe(label: string, summary: VariantCollapse): string {
  const diverged = summary.diverged > 0 ? `, ${summary.diverged} of ${summary.runs} diverged` : '';
  return `${label} best ${summary.medianBest.toFixed(1)}, late ${summary.medianLate.toFixed(1)}, ratio ${summary.medianRatio.toFixed(2)}${diverged}`;
}

function notRun(id: 'C18' | 'C19', evidence: string, sources: string[]): ClaimOutcome {
  return { id, title: CLAIM_TITLES[id], verdict: 'not run', evidence, sources };
}

/** Reasons shared by both claims for not deciding: no FID, runs too short. */
function preconditions(id: 'C18' | 'C19', context: VerdictContext): ClaimOutcome | undefined {
  if (context.fidNotRun !== undefined) return notRun(id, context.fidNotRun, context.sources);
  if (context.trainedEpochs < context.minEpochs) {
    return notRun(
      id,
      `The runs train ${context.trainedEpochs.toFixed(2)} epochs; the rule needs at least ${context.minEpochs} (the gpu scale trains that many).`,
      context.sources,
    );
  }
  return undefined;
}

const RULE_TEXT = `ratio = late FID (median of the last ${LATE_FRACTION * 100} % of evaluations) / best FID, median over seeds; collapsed above ${COLLAPSE_FACTOR}`;

/** C18 from the CIFAR-10 runs grouped by preset ("conv-4", "conv-4-sn"), then by variant. */
export function cifarCollapseVerdict(runs: Map<string, RunsByVariant>, context: VerdictContext): ClaimOutcome {
  const blocked = preconditions('C18', context);
  if (blocked) return blocked;
  const summaries = new Map<string, { ns?: VariantCollapse; nsat?: VariantCollapse }>();
  for (const preset of ['conv-4', 'conv-4-sn']) {
    const variants = runs.get(preset);
    summaries.set(preset, { ns: variantCollapse(variants?.get('NS') ?? [], 'fid'), nsat: variantCollapse(variants?.get('MM-nsat') ?? [], 'fid') });
  }
  const plain = summaries.get('conv-4')!;
  const normalised = summaries.get('conv-4-sn')!;
  if (!plain.ns || !plain.nsat || !normalised.ns || !normalised.nsat) {
    return notRun('C18', `NS and MM-nsat runs with at least ${MIN_EVALUATIONS} FID evaluations each are needed on Conv-4 and Conv-4-sn; some are missing or shorter.`, context.sources);
  }
  const collapseHolds = plain.ns.collapsed && !plain.nsat.collapsed;
  const closeness = Math.max(normalised.ns.medianLate, normalised.nsat.medianLate) / Math.min(normalised.ns.medianLate, normalised.nsat.medianLate);
  const closeHolds = closeness <= CLOSE_FACTOR;
  return {
    id: 'C18',
    title: CLAIM_TITLES.C18,
    verdict: collapseHolds && closeHolds ? 'held' : 'not held',
    evidence:
      `After ${context.trainedEpochs.toFixed(0)} epochs, Conv-4: ${describe('NS', plain.ns)}; ${describe('MM-nsat', plain.nsat)}. ` +
      `Conv-4-sn: ${describe('NS', normalised.ns)}; ${describe('MM-nsat', normalised.nsat)}; late FIDs ${closeness.toFixed(2)}× apart. ` +
      `Rule: ${RULE_TEXT}; NS collapses and MM-nsat does not on Conv-4, and on Conv-4-sn the late FIDs are within ${CLOSE_FACTOR}×.`,
    sources: context.sources,
  };
}

/**
 * C19 for one dataset from its runs grouped by case (a network, or a resolution), then by
 * variant. `dataset` names it in the evidence, e.g. "CAT 128²".
 */
export function highResolutionVerdict(dataset: string, runs: Map<string, RunsByVariant>, context: VerdictContext): ClaimOutcome {
  const blocked = preconditions('C19', context);
  if (blocked) return { ...blocked, evidence: `${dataset}: ${blocked.evidence}` };
  const decided: { label: string; holds: boolean; text: string }[] = [];
  const undecided: string[] = [];
  for (const [label, variants] of runs) {
    const ns = variantCollapse(variants.get('NS') ?? [], 'fid');
    const nsat = variantCollapse(variants.get('MM-nsat') ?? [], 'fid');
    if (!ns || !nsat) {
      undecided.push(label);
      continue;
    }
    const holds = ns.collapsed && !nsat.collapsed && nsat.medianLate < ns.medianLate;
    decided.push({ label, holds, text: `${label}: ${describe('NS', ns)}; ${describe('MM-nsat', nsat)} (${holds ? 'holds' : 'does not hold'})` });
  }
  const skipped = undecided.length > 0 ? ` Not decided (missing runs or fewer than ${MIN_EVALUATIONS} FID evaluations): ${undecided.join(', ')}.` : '';
  if (decided.length === 0) return notRun('C19', `${dataset}: no network or resolution has NS and MM-nsat runs to decide on.${skipped}`, context.sources);
  const holding = decided.filter((entry) => entry.holds).length;
  return {
    id: 'C19',
    title: CLAIM_TITLES.C19,
    verdict: holding * 2 > decided.length ? 'held' : 'not held',
    evidence:
      `${dataset}, after ${context.trainedEpochs.toFixed(0)} epochs: ${decided.map((entry) => entry.text).join('; ')}. ` +
      `Holds for ${holding} of ${decided.length}.${skipped} Rule: ${RULE_TEXT}; NS collapses, MM-nsat does not and ends below NS, for most cases that ran.`,
    sources: context.sources,
  };
}

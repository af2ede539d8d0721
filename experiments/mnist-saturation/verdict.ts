/**
 * The rule behind claim C10: with FC-4 on MNIST, MM's generator gradient vanishes after a
 * few epochs and stays down, while NS, MM-nsat and MM-β2 keep training.
 *
 * For each run, the reference level is the median of ‖∇θ J_G‖ over the logged steps of the
 * first epoch and the end level the median over the last tenth of the logged steps.
 * MM vanishes when its end level is at most 1 % of its reference level (two orders of
 * magnitude) and the largest value of its last tenth is at most 10 % of it (it stays down).
 * Another variant keeps training when the largest value of its last tenth is at least 10 %
 * of its reference: its gradient does not stay down. MM-β2's gradient dips and recovers
 * (seen in a 5-epoch FC-4 run on wasm), so its median alone would misjudge it. Each ratio
 * is the median over seeds. Runs shorter than four epochs cannot show it.
 */
import type { ClaimOutcome } from '../../src/claims/claim.ts';
import { CLAIM_TITLES } from '../../src/claims/claim.ts';
import { median, metricSeries, type LoadedRun } from '../mnist-coverage/mnistRuns.ts';

export const VANISHED_RATIO = 1e-2;
export const STAYS_DOWN_RATIO = 1e-1;
export const KEEPS_TRAINING_RATIO = 1e-1;
export const MIN_EPOCHS = 4;

export interface GradientLevels {
  /** Median ‖∇θ‖ over the first epoch's logged steps. */
  reference: number;
  /** Median over the last tenth of the logged steps. */
  end: number;
  /** Largest value over the last tenth. */
  endMaximum: number;
}

/** Measures a run's gradient levels, or undefined when it logged too little. */
export function gradientLevels(run: LoadedRun, stepsPerEpoch: number): GradientLevels | undefined {
  const { steps, values } = metricSeries(run.rows, 'gradientNormGenerator');
  const first = values.filter((_, i) => steps[i] <= stepsPerEpoch);
  const tail = values.slice(Math.floor(values.length * 0.9));
  if (first.length === 0 || tail.length === 0) return undefined;
  return { reference: median(first), end: median(tail), endMaximum: Math.max(...tail) };
}

export interface VariantRatios {
  label: string;
  /** End level / reference level, median over seeds. */
  endRatio: number;
  /** Largest value of the last tenth / reference level, median over seeds. */
  endMaximumRatio: number;
  seeds: number;
}

export function variantRatios(label: string, runs: LoadedRun[], stepsPerEpoch: number): VariantRatios {
  const levels = runs.map((run) => gradientLevels(run, stepsPerEpoch)).filter((level): level is GradientLevels => level !== undefined);
  return {
    label,
    endRatio: median(levels.map((level) => level.end / level.reference)),
    endMaximumRatio: median(levels.map((level) => level.endMaximum / level.reference)),
    seeds: levels.length,
  };
}

/** Decides C10 from the ratios of MM and of the variants that should keep training. */
export function saturationVerdict(
  mm: VariantRatios | undefined,
  others: VariantRatios[],
  trainedEpochs: number,
  sources: string[],
): ClaimOutcome {
  const base = { id: 'C10', title: CLAIM_TITLES.C10, sources };
  if (mm === undefined || mm.seeds === 0 || trainedEpochs < MIN_EPOCHS) {
    return {
      ...base,
      verdict: 'not run',
      evidence:
        `The runs at this scale train ${trainedEpochs.toFixed(2)} epochs; MM's gradient is expected to vanish ` +
        `after about three, so the rule needs at least ${MIN_EPOCHS}.`,
    };
  }
  const shown = (ratios: VariantRatios) =>
    `${ratios.label} ${ratios.endRatio.toExponential(1)} (largest ${ratios.endMaximumRatio.toExponential(1)})`;
  const vanished = mm.endRatio <= VANISHED_RATIO && mm.endMaximumRatio <= STAYS_DOWN_RATIO;
  const training = others.filter((ratios) => ratios.seeds > 0 && ratios.endMaximumRatio >= KEEPS_TRAINING_RATIO);
  const held = vanished && training.length === others.length;
  return {
    ...base,
    verdict: held ? 'held' : 'not held',
    evidence:
      `Over ${trainedEpochs.toFixed(1)} epochs, G's gradient norm over the last tenth of the run relative to ` +
      `the first epoch, median and largest value (medians over seeds): ${[mm, ...others].map(shown).join(', ')}. ` +
      `Rule: MM's median ≤ ${VANISHED_RATIO} and largest ≤ ${STAYS_DOWN_RATIO}; every other variant's largest ` +
      `≥ ${KEEPS_TRAINING_RATIO}.`,
  };
}

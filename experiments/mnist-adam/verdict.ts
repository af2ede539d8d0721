/**
 * The rule behind claim C14 (supplement L.1). With FC-4 on MNIST, MM's generator updates
 * vanish. Lowering only G's Adam β2, or resetting G's Adam state at intervals, avoids it,
 * and lowering only D's β2 makes it happen earlier or deeper.
 *
 * It reads G's update norm |Δθ| per logged step, as mnist-saturation reads the gradient
 * norm for C10 and with the same thresholds: a run's reference level is the median over
 * the first epoch, its end level the median over the last tenth of the logged steps, and
 * its end maximum the largest value there. A variant vanishes when its end level is at most
 * 1 % of its reference, and keeps training when its end maximum is at least 10 % of it (a
 * variant may dip and recover). Its vanishing step is the first logged step after the first
 * epoch where |Δθ| falls below 1 % of the reference. Each figure is the median over seeds.
 *
 * Held when MM vanishes, MM with G's β2 = 0.99 and MM with G's Adam reset both keep
 * training, and MM with D's β2 = 0.99 vanishes no later than MM or ends no higher. Not run
 * when the runs are shorter than four epochs or MM did not vanish, because then there is
 * no saturation for the variants to avoid.
 */
import type { ClaimOutcome } from '../../src/claims/claim.ts';
import { CLAIM_TITLES } from '../../src/claims/claim.ts';
import { median, metricSeries, type LoadedRun } from '../mnist-coverage/mnistRuns.ts';
import { KEEPS_TRAINING_RATIO, MIN_EPOCHS, VANISHED_RATIO } from '../mnist-saturation/verdict.ts';

/** Fraction of the first-epoch level below which an update counts as vanished. */
export const VANISH_FRACTION = 1e-2;

export const UPDATE_NORM_KEY = 'updateNormGenerator';

export interface UpdateLevels {
  reference: number;
  end: number;
  endMaximum: number;
  /** First logged step after the first epoch below VANISH_FRACTION · reference; Infinity if none. */
  vanishStep: number;
}

/** Measures a run's update-norm levels, or undefined when it logged too little. */
export function updateLevels(run: LoadedRun, stepsPerEpoch: number, key = UPDATE_NORM_KEY): UpdateLevels | undefined {
  const { steps, values } = metricSeries(run.rows, key);
  const first = values.filter((_, i) => steps[i] <= stepsPerEpoch);
  const tail = values.slice(Math.floor(values.length * 0.9));
  if (first.length === 0 || tail.length === 0) return undefined;
  const reference = median(first);
  const vanished = steps.findIndex((step, i) => step > stepsPerEpoch && values[i] < VANISH_FRACTION * reference);
  return {
    reference,
    end: median(tail),
    endMaximum: Math.max(...tail),
    vanishStep: vanished < 0 ? Number.POSITIVE_INFINITY : steps[vanished],
  };
}

export interface UpdateMeasures {
  label: string;
  /** Median over seeds of the first-epoch level. */
  reference: number;
  endRatio: number;
  endMaximumRatio: number;
  /** Median over seeds; Infinity when at most half the seeds vanished. */
  vanishStep: number;
  seeds: number;
}

export function updateMeasures(label: string, runs: LoadedRun[], stepsPerEpoch: number, key = UPDATE_NORM_KEY): UpdateMeasures {
  const levels = runs.map((run) => updateLevels(run, stepsPerEpoch, key)).filter((level): level is UpdateLevels => level !== undefined);
  return {
    label,
    reference: median(levels.map((level) => level.reference)),
    endRatio: median(levels.map((level) => level.end / level.reference)),
    endMaximumRatio: median(levels.map((level) => level.endMaximum / level.reference)),
    vanishStep: median(levels.map((level) => level.vanishStep)),
    seeds: levels.length,
  };
}

/** The measured variants C14 compares. */
export interface AdamComparison {
  mm: UpdateMeasures;
  generatorBeta2: UpdateMeasures;
  generatorReset: UpdateMeasures;
  discriminatorBeta2: UpdateMeasures;
  /** Shown in the evidence only, because the claim makes no statement about lowering both. */
  bothBeta2?: UpdateMeasures;
}

function showMeasures(measures: UpdateMeasures): string {
  const step = Number.isFinite(measures.vanishStep) ? `below 1 % from step ${measures.vanishStep}` : 'never below 1 %';
  return `${measures.label} end ${measures.endRatio.toExponential(1)}, largest ${measures.endMaximumRatio.toExponential(1)}, ${step}`;
}

export function adamVerdict(comparison: AdamComparison, trainedEpochs: number, sources: string[]): ClaimOutcome {
  const base = { id: 'C14', title: CLAIM_TITLES.C14, sources };
  const { mm, generatorBeta2, generatorReset, discriminatorBeta2, bothBeta2 } = comparison;
  const measured = [mm, generatorBeta2, generatorReset, discriminatorBeta2, ...(bothBeta2 ? [bothBeta2] : [])];
  const figures =
    `G's update norm |Δθ| over the last tenth of the run relative to the first epoch, median and largest value, ` +
    `and the first logged step below ${VANISH_FRACTION} of it (medians over seeds), after ${trainedEpochs.toFixed(1)} epochs: ` +
    `${measured.filter((entry) => entry.seeds > 0).map(showMeasures).join('; ')}.`;
  if (trainedEpochs < MIN_EPOCHS || mm.seeds === 0) {
    return {
      ...base,
      verdict: 'not run',
      evidence: `The runs train ${trainedEpochs.toFixed(2)} epochs; MM's updates are expected to vanish after about three, so the rule needs at least ${MIN_EPOCHS} and MM runs.`,
    };
  }
  if (!(mm.endRatio <= VANISHED_RATIO)) {
    return {
      ...base,
      verdict: 'not run',
      evidence: `${figures} MM's updates did not vanish (end level above ${VANISHED_RATIO} of the first epoch), so there is no saturation for the variants to avoid; longer runs (the gpu scale, 10 epochs) would decide.`,
    };
  }
  const keepsTraining = (measures: UpdateMeasures) => measures.seeds > 0 && measures.endMaximumRatio >= KEEPS_TRAINING_RATIO;
  const worse =
    discriminatorBeta2.seeds > 0 &&
    Number.isFinite(discriminatorBeta2.vanishStep) &&
    (discriminatorBeta2.vanishStep <= mm.vanishStep || discriminatorBeta2.endRatio <= mm.endRatio);
  const held = keepsTraining(generatorBeta2) && keepsTraining(generatorReset) && worse;
  return {
    ...base,
    verdict: held ? 'held' : 'not held',
    evidence:
      `${figures} Rule: MM's end ≤ ${VANISHED_RATIO}; with G's β2 lowered and with G's Adam reset the largest ≥ ` +
      `${KEEPS_TRAINING_RATIO}; with D's β2 lowered it falls below ${VANISH_FRACTION} no later than MM or ends no higher.`,
  };
}

/**
 * Verdicts for claim C12 from toy-mixture runs, each computed by a stated rule from the
 * runs' final evaluations and their coverage changes.
 */
import type { ClaimOutcome } from '../../src/claims/claim.ts';
import { CLAIM_TITLES } from '../../src/claims/claim.ts';
import { median as d3Median } from 'd3-array';

/** Final figures of one cost's runs, as the verdicts use them. */
export interface VariantOutcome {
  label: string;
  /** Modes covered at the last evaluation, one per seed. */
  finalModesCovered: number[];
  /** Mode losses over the second half of training, one per seed. */
  losses: number[];
  /** Mode hops over the second half of training, one per seed. */
  hops: number[];
  /** JS divergence (bits) between real and generated mode frequencies at the end, one per seed. */
  finalModeDivergence: number[];
  /** Runs that reached their last step (not diverged, not interrupted). */
  complete: number;
  runs: number;
}

/** Returns the median of the finite values, or NaN when there are none. */
export function median(values: number[]): number {
  return d3Median(values) ?? Number.NaN;
}

const format = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(2));

function notRun(label: string, outcomes: VariantOutcome[], sources: string[]): ClaimOutcome | undefined {
  const missing = outcomes.filter((outcome) => outcome.runs === 0 || outcome.complete < outcome.runs);
  if (missing.length === 0) return undefined;
  return {
    id: 'C12',
    title: CLAIM_TITLES.C12,
    verdict: 'not run',
    evidence: `${label}: ${missing.map((o) => `${o.label} finished ${o.complete} of ${o.runs} runs`).join('; ')}, so no verdict was computed.`,
    sources,
  };
}

/**
 * Minimum number of training steps at which the ring rule is applied. In calibration runs at learning
 * rate 5e-4, MM had left its early collapse within 6000 steps in only one seed of four, so
 * shorter runs measure the start of training, not where MM and NS end up.
 * NOTE: a judgment from those runs. One run of the cpu scale (20 000 steps, 5 seeds) ended with
 * MM covering 7, 3, 5, 8 and 3 of 8 modes and NS 0 or 1, so C12 read not held there. Whether MM
 * covers every mode after the paper's 100 000 steps at α 1e-4 is for the gpu scale to show.
 */
export const RING_MINIMUM_STEPS = 20000;

/**
 * Ring rule: held when MM's median final modes covered equals the number of modes and NS
 * drops or hops modes. NS drops modes when its median final modes covered is below MM's,
 * and hops when its median count of mode losses over the second half of training exceeds MM's.
 * Runs shorter than RING_MINIMUM_STEPS read `not run`, with what they measured.
 */
export function ringVerdict(
  ns: VariantOutcome,
  mm: VariantOutcome,
  modeCount: number,
  sources: string[],
  steps: number = RING_MINIMUM_STEPS,
): ClaimOutcome {
  const missing = notRun('Ring', [ns, mm], sources);
  if (missing) return missing;
  const mmCovered = median(mm.finalModesCovered);
  const nsCovered = median(ns.finalModesCovered);
  const mmLosses = median(mm.losses);
  const nsLosses = median(ns.losses);
  const mmCoversAll = mmCovered === modeCount;
  const nsDropsOrHops = nsCovered < mmCovered || nsLosses > mmLosses;
  const tooShort = steps < RING_MINIMUM_STEPS;
  let verdict: ClaimOutcome['verdict'] = mmCoversAll && nsDropsOrHops ? 'held' : 'not held';
  if (tooShort) verdict = 'not run';
  return {
    id: 'C12',
    title: CLAIM_TITLES.C12,
    verdict,
    evidence:
      (tooShort
        ? `The ring runs train ${steps} steps and the rule needs at least ${RING_MINIMUM_STEPS} ` +
          '(scale cpu, suite paper-cpu). Measured anyway: '
        : '') +
      `Ring of ${modeCount}: at the end MM covered a median of ${format(mmCovered)} modes ` +
      `(${mm.finalModesCovered.join(', ')} over ${mm.runs} seeds), NS ${format(nsCovered)} ` +
      `(${ns.finalModesCovered.join(', ')}). Over the second half of training NS lost a covered mode ` +
      `${format(nsLosses)} times (median; ${format(median(ns.hops))} hops), MM ${format(mmLosses)} times. ` +
      `Rule: held when MM's median is all ${modeCount} modes and NS's median is lower or NS loses modes more often.`,
    sources,
  };
}

/**
 * Spiral rule: held when MM's median final mode-frequency JS divergence is below NS's and
 * MM covers at least as many modes (medians over seeds).
 */
export function spiralVerdict(ns: VariantOutcome, mm: VariantOutcome, modeCount: number, sources: string[]): ClaimOutcome {
  const missing = notRun('Spiral', [ns, mm], sources);
  if (missing) return missing;
  const mmDivergence = median(mm.finalModeDivergence);
  const nsDivergence = median(ns.finalModeDivergence);
  const mmCovered = median(mm.finalModesCovered);
  const nsCovered = median(ns.finalModesCovered);
  const held = mmDivergence < nsDivergence && mmCovered >= nsCovered;
  return {
    id: 'C12',
    title: CLAIM_TITLES.C12,
    verdict: held ? 'held' : 'not held',
    evidence:
      `Spiral of ${modeCount}: final JS divergence between real and generated mode frequencies ` +
      `${mmDivergence.toFixed(3)} bits for MM against ${nsDivergence.toFixed(3)} for NS (medians over ` +
      `${mm.runs} and ${ns.runs} seeds); modes covered ${format(mmCovered)} against ${format(nsCovered)}. ` +
      `Rule: held when MM's median divergence is lower and MM covers at least as many modes.`,
    sources,
  };
}

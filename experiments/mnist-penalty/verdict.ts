/**
 * The rule behind claim C16 on FC-4 MNIST runs of NS and MM-nsat with the zero-centred
 * real-data gradient penalty of weight λ. Stronger regularisation of D squeezes D_p towards
 * ½, where the scaling factors D_p and 1 − D_p agree, so the two costs should converge.
 *
 * At each λ the gap of a metric is |median over NS's seeds − median over MM-nsat's seeds|
 * of the run's late value (mean over its last three evaluations), for D_JS^CD and for the
 * Fréchet distance on the classifier's features. A gap shrinks when Spearman's ρ between λ
 * and the gap is at most −0.7 and the gap at the largest λ is below the gap at λ = 0. For
 * four weights −0.7 allows one adjacent swap (ρ = −0.8) and no more. Held when both gaps
 * shrink; not held when either gap at the largest λ is at least its gap at λ = 0; otherwise
 * not run, because the gap falls but too unevenly to decide with these seeds. Not run also
 * when at λ = 0 NS and MM-nsat are not apart beyond their seed spread: then there is no gap
 * to close at this scale.
 */
import type { ClaimOutcome } from '../../src/claims/claim.ts';
import { CLAIM_TITLES } from '../../src/claims/claim.ts';
import type { LoadedRun } from '../mnist-coverage/mnistRuns.ts';
import { classSpreadShortfall } from '../mnist-coverage/verdicts.ts';
import { DIVERGENCE_KEY, FRECHET_KEY } from '../mnist-variants/evaluatedSections.ts';
import { spearman } from '../mnist-variants/rankCorrelation.ts';
import { lateSummary, separated, showSummary } from '../mnist-variants/seedSummaries.ts';

export const GAP_TREND_THRESHOLD = 0.7;

/** The NS and MM-nsat runs at one penalty weight λ. */
export interface PenaltyPoint {
  weight: number;
  ns: LoadedRun[];
  nsat: LoadedRun[];
}

export interface GapTrend {
  metric: string;
  weights: number[];
  gaps: number[];
  rho: number;
  shrinks: boolean;
  /** The gap at the largest λ is at least the gap at λ = 0. */
  persists: boolean;
}

/** Measures the gap of one metric at each λ where both costs have runs, and its trend over λ. */
export function gapTrend(points: PenaltyPoint[], key: string, metric: string): GapTrend {
  const measured = [...points]
    .sort((a, b) => a.weight - b.weight)
    .flatMap((point) => {
      const ns = lateSummary(point.ns, key);
      const nsat = lateSummary(point.nsat, key);
      return ns === undefined || nsat === undefined ? [] : [{ weight: point.weight, gap: Math.abs(ns.median - nsat.median) }];
    });
  const weights = measured.map((entry) => entry.weight);
  const gaps = measured.map((entry) => entry.gap);
  const rho = spearman(weights, gaps);
  const atZero = weights[0] === 0 ? gaps[0] : Number.NaN;
  const atLargest = gaps[gaps.length - 1];
  return {
    metric,
    weights,
    gaps,
    rho,
    shrinks: rho <= -GAP_TREND_THRESHOLD && atLargest < atZero,
    persists: atLargest >= atZero,
  };
}

function showTrend(trend: GapTrend): string {
  const gaps = trend.weights.map((weight, i) => `λ ${weight}: ${trend.gaps[i].toFixed(3)}`).join(', ');
  return `${trend.metric} gap ${gaps} (ρ = ${Number.isFinite(trend.rho) ? trend.rho.toFixed(2) : 'undefined'})`;
}

export function penaltyVerdict(points: PenaltyPoint[], sources: string[]): ClaimOutcome {
  const base = { id: 'C16', title: CLAIM_TITLES.C16, sources };
  const unregularised = points.find((point) => point.weight === 0);
  const ns = unregularised && lateSummary(unregularised.ns, DIVERGENCE_KEY);
  const nsat = unregularised && lateSummary(unregularised.nsat, DIVERGENCE_KEY);
  const start = `At λ = 0, late D_JS^CD (median [min, max] over seeds): NS ${showSummary(ns)}, MM-nsat ${showSummary(nsat)}.`;
  // The gap at λ = 0 is the reference, so its runs must spread over the classes.
  const shortfall = unregularised && classSpreadShortfall([...unregularised.ns, ...unregularised.nsat]);
  if (shortfall !== undefined) {
    const trends = [gapTrend(points, DIVERGENCE_KEY, 'D_JS^CD'), gapTrend(points, FRECHET_KEY, 'Fréchet distance')];
    const measured = trends.every((trend) => Number.isFinite(trend.rho)) ? ` Measured anyway: ${trends.map(showTrend).join('; ')}.` : '';
    return { ...base, verdict: 'not run', evidence: `${start} Without the penalty, ${shortfall.charAt(0).toLowerCase()}${shortfall.slice(1)}${measured}` };
  }
  if (!separated(ns, nsat)) {
    return {
      ...base,
      verdict: 'not run',
      evidence:
        `${start} Without regularisation NS and MM-nsat are not apart beyond their seed spread (at least two seeds ` +
        'each with min–max ranges apart), so there is no gap for the penalty to close at this scale; longer runs ' +
        '(the gpu scale: 20 seeds per λ, 1000 epochs) would decide.',
    };
  }
  const trends = [gapTrend(points, DIVERGENCE_KEY, 'D_JS^CD'), gapTrend(points, FRECHET_KEY, 'Fréchet distance')];
  if (trends.some((trend) => !Number.isFinite(trend.rho))) {
    return { ...base, verdict: 'not run', evidence: `${start} Fewer than three weights λ have runs of both costs.` };
  }
  const evidence =
    `${start} ${trends.map(showTrend).join('; ')}. Rule: each gap shrinks with λ (ρ ≤ −${GAP_TREND_THRESHOLD} and the ` +
    'gap at the largest λ below the gap at λ = 0).';
  if (trends.every((trend) => trend.shrinks)) return { ...base, verdict: 'held', evidence };
  if (trends.some((trend) => trend.persists)) return { ...base, verdict: 'not held', evidence };
  return {
    ...base,
    verdict: 'not run',
    evidence: `${evidence} The gaps fall but too unevenly to decide with these seeds; the gpu scale (20 seeds per λ) would decide.`,
  };
}

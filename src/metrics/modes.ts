/**
 * Mode coverage of samples from a Gaussian mixture: each sample goes to its nearest mode
 * when it lies within `radius` standard deviations of it (3 by default), and to no mode
 * otherwise. From that assignment come the high-quality rate (the share of samples on some
 * mode), the per-mode frequency table (table 3 of "Sample weighting as an explanation for
 * mode collapse in generative adversarial networks"), the number of modes covered, and the
 * Jensen–Shannon divergence between the real and the generated mode frequencies.
 *
 * Two distance rules are offered, both in units of σ:
 * - euclidean: ‖x − μ‖/σ, a circle of radius 3σ around each mode;
 * - axis-mean: mean over axes of |x_d − μ_d|/σ, the rule of the authors' toy script
 *   (awweide/mm-nsat, src/toy.py), a diamond whose corners reach 6σ along an axis.
 */
import { classDivergence } from '../theory/classDivergence.ts';

export type ModeDistanceRule = 'euclidean' | 'axis-mean';

/** The parts of a mixture the metric needs: mode centres, weights and σ. */
export interface ModeLayout {
  means: readonly (readonly number[])[];
  weights: readonly number[];
  sigma: number;
}

export interface ModeMetricOptions {
  rule?: ModeDistanceRule;
  /** A sample belongs to a mode when its distance is below this many σ. */
  radius?: number;
  /**
   * A mode counts as covered when it contains at least this share of the samples it would
   * get from the real data, N·w_k. The default 0.25 is this project's choice.
   */
  coverageShare?: number;
}

export const MODE_METRIC_DEFAULTS = { rule: 'euclidean', radius: 3, coverageShare: 0.25 } as const;

export interface ModeMetrics {
  sampleCount: number;
  /** Samples assigned to each mode. */
  counts: number[];
  /** Samples within no mode's radius. */
  offModeCount: number;
  /** counts[k]/sampleCount: the per-mode densities of table 3 (they sum to highQualityRate). */
  frequencies: number[];
  /** Share of samples that lie on some mode. */
  highQualityRate: number;
  covered: boolean[];
  modesCovered: number;
  /**
   * JS divergence in bits between the real mode weights and the generated frequencies
   * among on-mode samples; 1 when no sample lies on any mode.
   */
  modeDivergence: number;
}

function resolve(options: ModeMetricOptions): Required<ModeMetricOptions> {
  const resolved = { ...MODE_METRIC_DEFAULTS, ...options };
  if (resolved.rule !== 'euclidean' && resolved.rule !== 'axis-mean') {
    throw new RangeError(`modeMetrics: rule must be euclidean or axis-mean, received ${String(resolved.rule)}`);
  }
  if (!Number.isFinite(resolved.radius) || resolved.radius <= 0) {
    throw new RangeError(`modeMetrics: radius must be a finite number > 0, received ${String(resolved.radius)}`);
  }
  if (!Number.isFinite(resolved.coverageShare) || resolved.coverageShare <= 0) {
    throw new RangeError(
      `modeMetrics: coverageShare must be a finite number > 0, received ${String(resolved.coverageShare)}`,
    );
  }
  return resolved;
}

function validateLayout(layout: ModeLayout): number {
  if (layout.means.length === 0) {
    throw new RangeError('modeMetrics: the mixture must have at least one mode, received 0');
  }
  if (layout.weights.length !== layout.means.length) {
    throw new RangeError(
      `modeMetrics: expected one weight per mode (${layout.means.length}), received ${layout.weights.length}`,
    );
  }
  if (!Number.isFinite(layout.sigma) || layout.sigma <= 0) {
    throw new RangeError(`modeMetrics: sigma must be a finite number > 0, received ${String(layout.sigma)}`);
  }
  return layout.means[0].length;
}

/**
 * Returns each sample's mode index, or −1 for a sample within no mode's radius. `points`
 * contains the samples row by row (x0, y0, x1, y1, … for 2-D modes), as `tensor.dataSync()`
 * returns them.
 */
export function assignModes(points: ArrayLike<number>, layout: ModeLayout, options: ModeMetricOptions = {}): Int32Array {
  const { rule, radius } = resolve(options);
  const dimension = validateLayout(layout);
  if (points.length % dimension !== 0) {
    throw new RangeError(
      `assignModes: points must hold ${dimension} coordinates per sample, received ${points.length} numbers`,
    );
  }
  const count = points.length / dimension;
  const assigned = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    let nearest = -1;
    let nearestDistance = Infinity;
    layout.means.forEach((mean, k) => {
      let distance = 0;
      for (let d = 0; d < dimension; d++) {
        const offset = (points[i * dimension + d] - mean[d]) / layout.sigma;
        distance += rule === 'euclidean' ? offset * offset : Math.abs(offset);
      }
      distance = rule === 'euclidean' ? Math.sqrt(distance) : distance / dimension;
      if (distance < nearestDistance) {
        nearestDistance = distance;
        nearest = k;
      }
    });
    // A NaN sample compares false everywhere, so it lands on no mode.
    assigned[i] = nearestDistance < radius ? nearest : -1;
  }
  return assigned;
}

/** Computes every mode metric of a set of samples. */
export function modeMetrics(points: ArrayLike<number>, layout: ModeLayout, options: ModeMetricOptions = {}): ModeMetrics {
  const { coverageShare } = resolve(options);
  const assigned = assignModes(points, layout, options);
  const sampleCount = assigned.length;
  if (sampleCount === 0) throw new RangeError('modeMetrics: points must hold at least one sample, received none');

  const counts = layout.means.map(() => 0);
  for (const mode of assigned) if (mode >= 0) counts[mode]++;
  const onMode = counts.reduce((sum, c) => sum + c, 0);
  const covered = counts.map((c, k) => c >= coverageShare * sampleCount * layout.weights[k]);
  const modeDivergence =
    onMode === 0 ? 1 : classDivergence(layout.weights, counts.map((c) => c / onMode));

  return {
    sampleCount,
    counts,
    offModeCount: sampleCount - onMode,
    frequencies: counts.map((c) => c / sampleCount),
    highQualityRate: onMode / sampleCount,
    covered,
    modesCovered: covered.filter(Boolean).length,
    modeDivergence,
  };
}

/**
 * Returns which modes count as covered, given per-mode frequencies (counts over all samples,
 * as in ModeMetrics.frequencies): mode k is covered when its frequency is at least
 * coverageShare·w_k, the rule modeMetrics applies to counts.
 */
export function coveredModes(frequencies: readonly number[], weights: readonly number[], coverageShare: number): boolean[] {
  if (frequencies.length !== weights.length) {
    throw new RangeError(
      `coveredModes: expected one frequency per mode (${weights.length}), received ${frequencies.length}`,
    );
  }
  return frequencies.map((frequency, k) => frequency >= coverageShare * weights[k]);
}

/** Changes of the set of covered modes over a sequence of evaluations. */
export interface CoverageChanges {
  /** Modes covered at one evaluation and not at the next, summed over the intervals. */
  losses: number;
  /** Modes not covered at one evaluation and covered at the next, summed over the intervals. */
  gains: number;
  /**
   * Intervals that both lose and gain a mode: the generator moved from some modes to others,
   * which is mode hopping, as opposed to steadily dropping modes or steadily adding them.
   */
  hops: number;
}

/** Counts mode losses, gains and hops between consecutive evaluations of covered modes. */
export function coverageChanges(covered: readonly (readonly boolean[])[]): CoverageChanges {
  const changes: CoverageChanges = { losses: 0, gains: 0, hops: 0 };
  for (let i = 1; i < covered.length; i++) {
    const [before, after] = [covered[i - 1], covered[i]];
    if (before.length !== after.length) {
      throw new RangeError(
        `coverageChanges: evaluation ${i} has ${after.length} modes, evaluation ${i - 1} has ${before.length}`,
      );
    }
    let lost = 0;
    let gained = 0;
    before.forEach((was, k) => {
      if (was && !after[k]) lost++;
      if (!was && after[k]) gained++;
    });
    changes.losses += lost;
    changes.gains += gained;
    if (lost > 0 && gained > 0) changes.hops++;
  }
  return changes;
}

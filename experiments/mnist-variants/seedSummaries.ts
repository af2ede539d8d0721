/**
 * A run's late and best value of an evaluation metric (D_JS^CD or the Fréchet distance),
 * and their spread over seeds. The late value is the mean over the last three evaluations,
 * as mnist-coverage measures it, which smooths the noise of each evaluation's samples.
 */
import { lateValue } from '../mnist-coverage/verdicts.ts';
import { median, metricSeries, type LoadedRun } from '../mnist-coverage/mnistRuns.ts';

/** Lowest value of the metric over the run, the early-stopping value; undefined without any. */
export function bestValue(run: LoadedRun, key: string): number | undefined {
  const { values } = metricSeries(run.rows, key);
  return values.length === 0 ? undefined : Math.min(...values);
}

export interface SeedSummary {
  median: number;
  low: number;
  high: number;
  seeds: number;
}

/** Median, minimum and maximum of per-seed values, skipping seeds without one. */
export function summariseSeeds(values: (number | undefined)[]): SeedSummary | undefined {
  const measured = values.filter((value): value is number => value !== undefined && Number.isFinite(value));
  if (measured.length === 0) return undefined;
  return { median: median(measured), low: Math.min(...measured), high: Math.max(...measured), seeds: measured.length };
}

export function lateSummary(runs: LoadedRun[], key: string): SeedSummary | undefined {
  return summariseSeeds(runs.map((run) => lateValue(run, key)));
}

export function bestSummary(runs: LoadedRun[], key: string): SeedSummary | undefined {
  return summariseSeeds(runs.map((run) => bestValue(run, key)));
}

/**
 * Tells whether two groups of runs differ beyond their seed spread: at least two seeds each and
 * the min–max ranges apart. One seed has no spread, so it never counts as separated.
 */
export function separated(a: SeedSummary | undefined, b: SeedSummary | undefined): boolean {
  if (a === undefined || b === undefined || a.seeds < 2 || b.seeds < 2) return false;
  return a.high < b.low || b.high < a.low;
}

/** Shows a summary as "median [min, max]" with three decimals, or "–". */
export function showSummary(summary: SeedSummary | undefined): string {
  if (summary === undefined) return '–';
  return `${summary.median.toFixed(3)} [${summary.low.toFixed(3)}, ${summary.high.toFixed(3)}]`;
}

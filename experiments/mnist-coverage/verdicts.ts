/**
 * The rules behind claims C11 and C13 on the MNIST coverage runs.
 *
 * A run's late class divergence is the mean D_JS^CD over its last three evaluations, which
 * smooths the noise of 2000 classified samples. A variant's value on a network is the
 * median over seeds.
 *
 * C11 (MM-nsat covers the classes better than NS): held when MM-nsat's late D_JS is below
 * NS's on FC-4 and on a majority of the networks run.
 *
 * C13 (MM-unit and NS-unit: same gradient magnitude, different dynamics): the logged
 * ‖∇θ J_G‖ of both stays within 1e−3 of the unit norm N_θ = 1 at every logged step, and on
 * a majority of networks their late D_JS differ by more than 0.02 bits with the seeds'
 * min–max ranges apart.
 *
 * Both need runs of at least two epochs: early in training NS is often as good as MM-nsat,
 * and the claims are about where training goes.
 */
import type { ClaimOutcome } from '../../src/claims/claim.ts';
import { CLAIM_TITLES } from '../../src/claims/claim.ts';
import { median, metricSeries, type LoadedRun } from './mnistRuns.ts';

export const LATE_EVALUATIONS = 3;
export const UNIT_NORM_TOLERANCE = 1e-3;
export const DYNAMICS_DIFFERENCE = 0.02;
export const MIN_EPOCHS = 2;

/**
 * Late D_JS^CD below which a run's digits spread over more than a few classes: three
 * equally likely classes against ten give 0.49 bits, a single class about 0.76. Above it in
 * every run, the classifier puts nearly every generated sample in one or two classes, as
 * it does with the blobs of the first epochs, so class coverage cannot be compared yet.
 */
export const CLASS_SPREAD_DIVERGENCE = 0.5;

/**
 * Returns why the runs cannot show class coverage when every run's late D_JS^CD is at least
 * CLASS_SPREAD_DIVERGENCE, or undefined when some run's samples spread over more classes.
 */
export function classSpreadShortfall(runs: LoadedRun[]): string | undefined {
  const late = runs.map(lateDivergence).filter((value): value is number => value !== undefined);
  if (late.length === 0 || Math.min(...late) < CLASS_SPREAD_DIVERGENCE) return undefined;
  return (
    `Every run's late D_JS^CD is at least ${CLASS_SPREAD_DIVERGENCE} bits (lowest ${Math.min(...late).toFixed(3)}; a single ` +
    'class gives about 0.76), so the classifier still puts nearly all generated samples in one or two classes and the ' +
    'runs compare sample quality, not class coverage; longer runs would decide.'
  );
}

/** Returns the mean of a metric over the run's last three evaluations, or undefined without any. */
export function lateValue(run: LoadedRun, key: string): number | undefined {
  const { values } = metricSeries(run.rows, key);
  if (values.length === 0) return undefined;
  const late = values.slice(-LATE_EVALUATIONS);
  return late.reduce((sum, value) => sum + value, 0) / late.length;
}

/** Returns the mean D_JS over a run's last three evaluations, or undefined without evaluations. */
export function lateDivergence(run: LoadedRun): number | undefined {
  return lateValue(run, 'classDivergence');
}

export interface LateSummary {
  median: number;
  low: number;
  high: number;
  seeds: number;
}

export function lateSummary(runs: LoadedRun[]): LateSummary | undefined {
  const values = runs.map(lateDivergence).filter((value): value is number => value !== undefined);
  if (values.length === 0) return undefined;
  return { median: median(values), low: Math.min(...values), high: Math.max(...values), seeds: values.length };
}

/** Runs grouped by network preset, then by variant label. */
export type RunsByPreset = Map<string, Map<string, LoadedRun[]>>;

function notRun(id: 'C11' | 'C13', reason: string, sources: string[]): ClaimOutcome {
  return { id, title: CLAIM_TITLES[id], verdict: 'not run', evidence: reason, sources };
}

export function coverageVerdict(runs: RunsByPreset, trainedEpochs: number, sources: string[]): ClaimOutcome {
  const compared: { preset: string; nsat: LateSummary; ns: LateSummary }[] = [];
  for (const [preset, variants] of runs) {
    const nsat = lateSummary(variants.get('MM-nsat') ?? []);
    const ns = lateSummary(variants.get('NS') ?? []);
    if (nsat && ns) compared.push({ preset, nsat, ns });
  }
  if (compared.length === 0) return notRun('C11', 'No NS and MM-nsat runs with class evaluations at this scale.', sources);
  if (trainedEpochs < MIN_EPOCHS) {
    return notRun('C11', `The runs train ${trainedEpochs.toFixed(2)} epochs; the rule needs at least ${MIN_EPOCHS}.`, sources);
  }
  const shortfall = classSpreadShortfall([...runs.values()].flatMap((variants) => [...(variants.get('NS') ?? []), ...(variants.get('MM-nsat') ?? [])]));
  if (shortfall !== undefined) return notRun('C11', shortfall, sources);
  const better = compared.filter((entry) => entry.nsat.median < entry.ns.median);
  const fc4 = compared.find((entry) => entry.preset === 'fc-4');
  const held = (fc4 === undefined || better.includes(fc4)) && better.length * 2 > compared.length;
  const shown = compared
    .map((entry) => `${entry.preset}: MM-nsat ${entry.nsat.median.toFixed(3)}, NS ${entry.ns.median.toFixed(3)}`)
    .join('; ');
  return {
    id: 'C11',
    title: CLAIM_TITLES.C11,
    verdict: held ? 'held' : 'not held',
    evidence:
      `Late D_JS^CD in bits (mean of the last ${LATE_EVALUATIONS} evaluations, median over seeds) after ` +
      `${trainedEpochs.toFixed(1)} epochs: ${shown}. Rule: MM-nsat below NS on FC-4 and on most networks.`,
    sources,
  };
}

/** Largest relative distance of a run's logged gradient norms from 1. */
function unitNormDeviation(run: LoadedRun): number {
  const { values } = metricSeries(run.rows, 'gradientNormGenerator');
  return values.length === 0 ? Number.NaN : Math.max(...values.map((value) => Math.abs(value - 1)));
}

export function unitVerdict(runs: RunsByPreset, trainedEpochs: number, sources: string[]): ClaimOutcome {
  const compared: { preset: string; mm: LateSummary; ns: LateSummary; deviation: number }[] = [];
  for (const [preset, variants] of runs) {
    const mmRuns = variants.get('MM-unit') ?? [];
    const nsRuns = variants.get('NS-unit') ?? [];
    const mm = lateSummary(mmRuns);
    const ns = lateSummary(nsRuns);
    if (mm && ns) compared.push({ preset, mm, ns, deviation: Math.max(...[...mmRuns, ...nsRuns].map(unitNormDeviation)) });
  }
  if (compared.length === 0) return notRun('C13', 'No MM-unit and NS-unit runs with class evaluations at this scale.', sources);
  if (trainedEpochs < MIN_EPOCHS) {
    return notRun('C13', `The runs train ${trainedEpochs.toFixed(2)} epochs; the rule needs at least ${MIN_EPOCHS}.`, sources);
  }
  const sameMagnitude = compared.every((entry) => entry.deviation <= UNIT_NORM_TOLERANCE);
  const differ = compared.filter((entry) => {
    const apart = entry.mm.high < entry.ns.low || entry.ns.high < entry.mm.low;
    return Math.abs(entry.mm.median - entry.ns.median) > DYNAMICS_DIFFERENCE && apart;
  });
  const held = sameMagnitude && differ.length * 2 > compared.length;
  const shown = compared
    .map(
      (entry) =>
        `${entry.preset}: MM-unit ${entry.mm.median.toFixed(3)} [${entry.mm.low.toFixed(3)}, ${entry.mm.high.toFixed(3)}], ` +
        `NS-unit ${entry.ns.median.toFixed(3)} [${entry.ns.low.toFixed(3)}, ${entry.ns.high.toFixed(3)}], ` +
        `largest |‖∇θ‖ − 1| ${entry.deviation.toExponential(1)}`,
    )
    .join('; ');
  return {
    id: 'C13',
    title: CLAIM_TITLES.C13,
    verdict: held ? 'held' : 'not held',
    evidence:
      `Late D_JS^CD (median [min, max] over seeds) after ${trainedEpochs.toFixed(1)} epochs: ${shown}. Rule: both ` +
      `gradient norms within ${UNIT_NORM_TOLERANCE} of 1 at every logged step, and on most networks late D_JS ` +
      `more than ${DYNAMICS_DIFFERENCE} apart with the seed ranges apart.`,
    sources,
  };
}

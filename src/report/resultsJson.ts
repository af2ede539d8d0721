/**
 * The machine-readable record of a report: results.json contains the claims with their
 * evidence, the property outcomes, the simulation results and every training run.
 */
import { createRequire } from 'node:module';
import { DIFFERENCES_FROM_PAPER_CODE } from './differences.ts';
import type { ReportData } from './reportData.ts';

/** Version of the layout below; raised when a field changes meaning or is removed. */
export const RESULTS_FORMAT_VERSION = 1;

const packageVersion = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

export function toResultsJson(data: ReportData) {
  return {
    format: RESULTS_FORMAT_VERSION,
    packageVersion,
    generated: data.generated,
    backend: data.backend,
    suite: data.suite,
    inception: data.inception,
    scale: data.scale,
    seed: data.seed,
    seconds: data.seconds,
    differencesFromPaperCode: DIFFERENCES_FROM_PAPER_CODE,
    claims: data.claims.map(({ id, title, verdict, evidence, sources }) => ({ id, title, verdict, evidence, sources })),
    properties: data.properties,
    simulations: data.simulations.map(({ name, description, seconds, options, evidence, result }) => ({
      name,
      description,
      seconds,
      options,
      evidence,
      result,
    })),
    experiments: data.experiments.map(({ experiment, scale, seconds, claims, runs }) => ({
      experiment,
      scale,
      seconds,
      claims,
      runs: runs.map((run) => run.id),
    })),
    skippedExperiments: data.skippedExperiments,
    failures: data.failures,
    runs: data.experiments.flatMap((result) => result.runs),
  };
}

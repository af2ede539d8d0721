/**
 * The machine-readable record of a report: results.json contains the claims with their
 * evidence, the property outcomes, the simulation results and every training run.
 */
import { DIFFERENCES_FROM_PAPER_CODE } from './differences.ts';
import type { ReportData } from './reportData.ts';

export function toResultsJson(data: ReportData) {
  return {
    generated: data.generated,
    backend: data.backend,
    suite: data.suite,
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

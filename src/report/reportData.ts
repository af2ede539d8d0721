/**
 * Everything one `report` command measured, as the page and results.json present it.
 */
import type { BackendInfo } from '../backend.ts';
import type { ExperimentResult, Scale } from '../../experiments/experiment.ts';
import type { ClaimOutcome } from '../claims/claim.ts';
import type { PropertyRecord, SimulationRecord } from '../claims/evidence.ts';
import type { SuiteName } from '../claims/suites.ts';

/** A part of the suite that threw: a simulation or an experiment, with the error message. */
export interface SuiteFailure {
  part: string;
  message: string;
}

export interface ReportData {
  /** ISO 8601 time at which the suite finished. */
  generated: string;
  backend: BackendInfo;
  suite: SuiteName;
  scale: Scale;
  /** fast-check seed of the properties. */
  seed: number;
  /** Folder of the InceptionV3 graph model behind every FID, or null when none was given. */
  inception: string | null;
  /** Wall time of the whole suite in seconds. */
  seconds: number;
  properties: PropertyRecord[];
  simulations: SimulationRecord[];
  experiments: ExperimentResult[];
  /** Experiments with no run at this scale, with the scales they do run at. */
  skippedExperiments: { name: string; reason: string }[];
  failures: SuiteFailure[];
  claims: ClaimOutcome[];
}

/**
 * The evidence a command gathers before the claims get their verdicts: property outcomes,
 * simulation results and experiment results, all measured in the same command.
 */
import type { PropertyOutcome } from '../../properties/claimProperty.ts';
import type { Experiment, ExperimentResult, Scale } from '../../experiments/experiment.ts';
import type { SimulationEvidence } from '../../sims/evidence.ts';
import type { Section } from '../figures.ts';
import type { Verdict } from './claim.ts';

/** One claim property's outcome with the time it took. */
export interface PropertyRecord extends PropertyOutcome {
  seconds: number;
}

/** One simulation run with its default options. */
export interface SimulationRecord {
  name: string;
  description: string;
  options: unknown;
  result: unknown;
  section: Section;
  /** Evidence the result gives about the claims, read right after the run. */
  evidence: SimulationEvidence[];
  seconds: number;
}

/** The verdict and evidence one property group, simulation or experiment gives for one claim. */
export interface Finding {
  claim: string;
  verdict: Verdict;
  evidence: string;
  sources: string[];
}

export interface ClaimEvidence {
  properties: PropertyRecord[];
  simulations: SimulationRecord[];
  experiments: ExperimentResult[];
  /** Every known experiment, so a claim that did not run can name what would run it. */
  catalogue: Pick<Experiment, 'name' | 'claims' | 'scales'>[];
  /** Scale the experiments ran at in this command. */
  scale: Scale;
  /** Experiments of this scale that the command left out (report --experiments). */
  notSelected?: string[];
  /** Experiments of this scale that stopped with an error, with the first line of it. */
  failed?: { name: string; message: string }[];
}

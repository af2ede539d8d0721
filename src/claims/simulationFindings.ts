/**
 * Findings from simulations. Each simulation module states what it measured for a claim
 * and whether its criterion held (for example C8: the decay rate of Adam's steps against
 * a − ½ ln β2). The suite reads that evidence right after each simulation runs.
 */
import {
  adamVanishingEvidence,
  batchWeightingEvidence,
  scalingFactorsEvidence,
  twoModeEvidence,
  type SimulationEvidence,
} from '../../sims/index.ts';
import type { Finding, SimulationRecord } from './evidence.ts';

// Each simulation's result has its own type; the suite only carries it through.
type EvidenceReader = (result: any) => SimulationEvidence | SimulationEvidence[];

/** The evidence reader of every simulation that gives evidence, keyed by simulation name. */
const SIMULATION_EVIDENCE: Record<string, EvidenceReader> = {
  'scaling-factors': scalingFactorsEvidence,
  'adam-vanishing': adamVanishingEvidence,
  'two-mode': twoModeEvidence,
  'batch-weighting': batchWeightingEvidence,
};

/** Reads what a simulation's result shows about the claims; [] for a simulation with no reader. */
export function readSimulationEvidence(name: string, result: unknown): SimulationEvidence[] {
  const reader = SIMULATION_EVIDENCE[name];
  return reader === undefined ? [] : [reader(result)].flat();
}

/**
 * Turns the evidence of every simulation that ran into findings. Evidence marked "extra"
 * (predictions of the two-mode model, which is no listed claim) stays in its section.
 */
export function simulationFindings(records: SimulationRecord[]): Finding[] {
  return records.flatMap((record) =>
    record.evidence
      .filter((item) => item.claim !== 'extra')
      .map((item) => ({
        claim: item.claim,
        verdict: item.held ? ('held' as const) : ('not held' as const),
        evidence: `Simulation ${item.simulation}: ${item.statement}`,
        sources: [`simulation: ${item.simulation}`],
      })),
  );
}

/**
 * Every simulation, for the command line and the report. Each has its own option and result
 * types, so the list is typed loosely; import a simulation by name for its exact types.
 */
import { adamVanishingSimulation } from './adamVanishing.ts';
import { batchWeightingSimulation } from './batchWeighting.ts';
import { scalingFactorsSimulation } from './scalingFactors.ts';
import type { Simulation } from './simulation.ts';
import { twoModeSimulation } from './twoMode.ts';

export { adamVanishingEvidence, adamVanishingSimulation } from './adamVanishing.ts';
export { batchWeightingEvidence, batchWeightingSimulation } from './batchWeighting.ts';
export { scalingFactorsEvidence, scalingFactorsSimulation } from './scalingFactors.ts';
export { twoModeDropFractions, twoModeEvidence, twoModeSimulation } from './twoMode.ts';
export type { SimulationEvidence } from './evidence.ts';
export type { SimulationWithDefaults } from './defaults.ts';

// Each simulation's own types stay in its module; the list only passes options and results through.
export const simulations: Simulation<any, any>[] = [
  scalingFactorsSimulation,
  adamVanishingSimulation,
  twoModeSimulation,
  batchWeightingSimulation,
];

/** The simulations keyed by their command-line name. */
export const simulationsByName: Record<string, Simulation<any, any>> = Object.fromEntries(
  simulations.map((simulation) => [simulation.name, simulation]),
);

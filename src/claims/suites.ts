/**
 * The suites the `report` command runs: each runs every property and simulation, and every
 * experiment at one scale.
 */
import type { Scale } from '../../experiments/experiment.ts';

export const SUITE_NAMES = ['quick', 'paper-cpu', 'paper-gpu'] as const;
export type SuiteName = (typeof SUITE_NAMES)[number];

export const SCALE_OF_SUITE: Record<SuiteName, Scale> = {
  quick: 'quick',
  'paper-cpu': 'cpu',
  'paper-gpu': 'gpu',
};

export const SUITE_OF_SCALE: Record<Scale, SuiteName> = {
  quick: 'quick',
  cpu: 'paper-cpu',
  gpu: 'paper-gpu',
};

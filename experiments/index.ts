/**
 * Every experiment the suites run, in report order. Each experiment module adds one line.
 */
import type { Experiment } from './experiment.ts';

export const experiments: Experiment[] = [];

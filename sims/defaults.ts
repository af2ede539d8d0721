/**
 * Simulations here accept a partial options object and fill the rest from their defaults,
 * so a caller can change one setting without restating the others.
 */
import type { ProgressCallback, Simulation } from './simulation.ts';

/** A simulation whose `run` also takes a partial options object. */
export type SimulationWithDefaults<Options, Result> = Simulation<Options, Result> & {
  run(options?: Partial<Options>, progress?: ProgressCallback): Result;
};

/** Returns the defaults with every option the caller gave replaced; undefined keeps the default. */
export function withDefaults<Options extends object>(defaults: Options, options: Partial<Options>): Options {
  const given = Object.entries(options).filter(([, value]) => value !== undefined);
  return { ...defaults, ...Object.fromEntries(given) };
}

/**
 * The shape every simulation shares: typed options with defaults, a typed result that
 * serialises to JSON, and a section for the report. Simulations use `src/theory` only.
 */
import type { Section } from '../src/figures.ts';

/** Reports progress of long simulations as a fraction in [0, 1] with a short label. */
export type ProgressCallback = (fraction: number, label: string) => void;

export interface Simulation<Options, Result> {
  /** Name on the command line: `gan-dynamics sim NAME`. */
  name: string;
  /** One line for `--help`. */
  description: string;
  defaults: Options;
  run(options: Options, progress?: ProgressCallback): Result;
  toSection(result: Result): Section;
}

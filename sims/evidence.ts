/**
 * A simulation's measurement for one claim, as plain data, which the claims registry turns
 * into a verdict. `held` applies the stated criterion to the measured values.
 */
export interface SimulationEvidence {
  /** Claim id (C1–C19) or "extra" for the model-only predictions. */
  claim: string;
  /** The simulation's name. */
  simulation: string;
  /** The measurement and its criterion, in one or two sentences with the numbers. */
  statement: string;
  /** The measured and predicted quantities behind the statement. */
  values: Record<string, number>;
  held: boolean;
}

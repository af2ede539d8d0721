/**
 * What a simulation measured for a claim, as plain data: the claims registry turns it into
 * a verdict. `holds` applies the stated criterion to the measured values.
 */
export interface SimulationEvidence {
  /** Claim id (C1–C19) or "extra" for the model-only predictions. */
  claim: string;
  /** The simulation's name. */
  simulation: string;
  /** What was measured and the criterion, in one or two sentences with the numbers. */
  statement: string;
  /** The measured and predicted quantities behind the statement. */
  values: Record<string, number>;
  holds: boolean;
}

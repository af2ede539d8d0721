/**
 * A property that proves part of a claim, defined once: `npm test` runs it through uvu and
 * the report runs the same definition with fast-check and records the outcome as evidence.
 */
import fc from 'fast-check';

export interface ClaimProperty {
  /** Claim id, C1–C9, or "extra" for properties that guard code but no listed claim. */
  claim: string;
  /** Short statement of what is checked, shown in the report. */
  name: string;
  /** Builds a fresh fast-check property; called once per run. */
  property: () => fc.IRawProperty<any, boolean>;
  /** Runs for `npm test` and the report; fast-check's default of 100 when absent. */
  numRuns?: number;
}

export interface PropertyOutcome {
  claim: string;
  name: string;
  passed: boolean;
  numRuns: number;
  /** The shrunk counterexample and the error, when the property failed. */
  counterexample?: string;
  error?: string;
  seed: number;
}

/**
 * Runs one claim property with fast-check and returns its outcome. A failing property is
 * reported in the outcome with its counterexample; an error while building it still throws.
 */
export async function checkClaimProperty(
  definition: ClaimProperty,
  seed: number = Date.now() ^ 0,
): Promise<PropertyOutcome> {
  const numRuns = definition.numRuns ?? 100;
  const details = await fc.check(definition.property(), { numRuns, seed });
  const outcome: PropertyOutcome = {
    claim: definition.claim,
    name: definition.name,
    passed: !details.failed,
    numRuns: details.numRuns,
    seed,
  };
  if (details.failed) {
    outcome.counterexample = fc.stringify(details.counterexample);
    outcome.error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  }
  return outcome;
}

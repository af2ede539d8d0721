/**
 * Runs the claim properties with fast-check, as `npm test` does, and turns their outcomes
 * into one finding per claim: held when every property of the claim passed, not held with
 * the shrunk counterexample when one failed.
 */
import { checkClaimProperty, type ClaimProperty } from '../../properties/claimProperty.ts';
import type { Finding, PropertyRecord } from './evidence.ts';

export interface PropertyRunOptions {
  /** fast-check seed shared by every property, recorded in each outcome. */
  seed: number;
  /** Called before each property starts. */
  onStart?: (index: number, total: number, definition: ClaimProperty) => void;
  /** Checked between properties; an aborted signal stops the loop with its reason. */
  signal?: AbortSignal;
}

/** Runs every definition in order; a property that throws while being built counts as failed. */
export async function runClaimProperties(
  definitions: ClaimProperty[],
  options: PropertyRunOptions,
): Promise<PropertyRecord[]> {
  const records: PropertyRecord[] = [];
  for (const [index, definition] of definitions.entries()) {
    // Properties run synchronously; yielding lets signal handlers and output run between them.
    await new Promise((resolve) => setImmediate(resolve));
    options.signal?.throwIfAborted();
    options.onStart?.(index, definitions.length, definition);
    const started = performance.now();
    let record: PropertyRecord;
    try {
      const outcome = await checkClaimProperty(definition, options.seed);
      record = { ...outcome, seconds: (performance.now() - started) / 1000 };
    } catch (error) {
      record = {
        claim: definition.claim,
        name: definition.name,
        passed: false,
        numRuns: 0,
        error: `the property could not be built: ${error instanceof Error ? error.message : String(error)}`,
        seed: options.seed,
        seconds: (performance.now() - started) / 1000,
      };
    }
    records.push(record);
  }
  return records;
}

/** Above this many properties, held evidence gives counts and leaves the names to the sources. */
const NAMES_LISTED = 3;

function describePassed(record: PropertyRecord): string {
  return `“${record.name}” (${record.numRuns} runs)`;
}

function describeAllPassed(group: PropertyRecord[]): string {
  if (group.length <= NAMES_LISTED) return group.map(describePassed).join('; ');
  const runs = group.map((record) => record.numRuns);
  const low = Math.min(...runs);
  const high = Math.max(...runs);
  return `${low === high ? low : `${low}–${high}`} runs each, named in the sources`;
}

function describeFailed(record: PropertyRecord): string {
  const input = record.counterexample === undefined ? '' : ` on ${record.counterexample}`;
  const reason = record.error === undefined ? '' : `: ${record.error.split('\n')[0]}`;
  return `“${record.name}” failed${input} (seed ${record.seed})${reason}`;
}

/** Groups the records by claim; properties marked "extra" belong to no claim and are left out. */
export function propertyFindings(records: PropertyRecord[]): Finding[] {
  const byClaim = new Map<string, PropertyRecord[]>();
  for (const record of records) {
    if (record.claim === 'extra') continue;
    byClaim.set(record.claim, [...(byClaim.get(record.claim) ?? []), record]);
  }
  const findings: Finding[] = [];
  for (const [claim, group] of byClaim) {
    const failed = group.filter((record) => !record.passed);
    const passed = group.filter((record) => record.passed);
    const sources = group.map((record) => `property: ${record.name}`);
    if (failed.length === 0) {
      findings.push({
        claim,
        verdict: 'held',
        evidence:
          `${plural(group.length, 'property', 'properties')} held (fast-check seed ${group[0].seed}): ` +
          `${describeAllPassed(group)}.`,
        sources,
      });
      continue;
    }
    const held = passed.length === 0 ? '' : ` Held: ${describeAllPassed(passed)}.`;
    findings.push({
      claim,
      verdict: 'not held',
      evidence: `${failed.length} of ${plural(group.length, 'property', 'properties')} failed. ${failed.map(describeFailed).join('; ')}.${held}`,
      sources,
    });
  }
  return findings;
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/**
 * Registers claim properties as uvu tests. Each property runs with fast-check's `assert`,
 * so a failure reports the shrunk counterexample together with the seed and path that
 * reproduce it. The seed comes from PROPERTY_SEED when set, otherwise from the clock, and
 * appears in the suite title.
 */
import fc from 'fast-check';
import { suite } from 'uvu';
import type { ClaimProperty } from './claimProperty.ts';

/** Returns the seed for this process: PROPERTY_SEED if set (an integer), else the clock. */
export function propertySeed(): number {
  const fromEnvironment = process.env.PROPERTY_SEED;
  if (fromEnvironment !== undefined && fromEnvironment !== '') {
    const seed = Number(fromEnvironment);
    if (!Number.isSafeInteger(seed)) {
      throw new TypeError(`PROPERTY_SEED must be an integer, received "${fromEnvironment}"`);
    }
    return seed;
  }
  return Date.now() ^ 0;
}

/** Adds one uvu test per definition to a suite named `title` and runs the suite. */
export function runPropertiesWithUvu(title: string, definitions: ClaimProperty[]): void {
  const seed = propertySeed();
  const properties = suite(`${title} (seed ${seed})`);
  for (const definition of definitions) {
    // fc.assert returns a promise for asynchronous properties; awaiting it makes uvu see
    // their failures instead of an unhandled rejection.
    properties(`${definition.claim}: ${definition.name}`, async () => {
      await fc.assert(definition.property(), { numRuns: definition.numRuns ?? 100, seed });
    });
  }
  properties.run();
}

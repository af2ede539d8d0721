/**
 * Runs the cost properties under uvu, on cpu and, when it loads, on wasm. The properties
 * are asynchronous (each sets its tfjs backend), so every test awaits fast-check's assert.
 */
import fc from 'fast-check';
import { suite } from 'uvu';
import { costBackends, costProperties, wasmBackendSkipReason } from './costs.ts';
import { propertySeed } from './runWithUvu.ts';

const seed = propertySeed();
const properties = suite(`cost properties (seed ${seed})`);

properties.before(async () => {
  await costBackends();
  const reason = wasmBackendSkipReason();
  if (reason !== undefined) console.warn(`cost properties: wasm backend not loaded (${reason}); checking cpu only`);
});

for (const definition of costProperties) {
  properties(`${definition.claim}: ${definition.name}`, async () => {
    await fc.assert(definition.property(), { numRuns: definition.numRuns ?? 100, seed });
  });
}

properties.run();

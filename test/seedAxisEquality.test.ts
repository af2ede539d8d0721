/**
 * Seed-batched training equals separate runs: for every cost family of the registry, S
 * seeds trained as one program end with the weights, Adam moments and diagnostics of S
 * GanTrainer runs, on wasm (the backend training uses) and once on cpu.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { selectBackend } from '../src/backend.ts';
import { COST_FAMILIES } from '../src/theory/costNames.ts';
import { outcomeDifferences, trainBatched, trainSeparately, type SeedAxisCase } from './seedAxisEquality.ts';

/** A registry name for each family; parameterised families get a constant inside their range. */
const COST_NAMES: Record<(typeof COST_FAMILIES)[number], string> = {
  mm: 'mm',
  ns: 'ns',
  'mm-nsat': 'mm-nsat',
  'mm-unit': 'mm-unit',
  'ns-unit': 'ns-unit',
  'ns+mm': 'ns+mm(0.3)',
  'ns+mm-nsat': 'ns+mm-nsat(0.6)',
  'ns-add': 'ns-add-0.5',
  'mm-nsat-add': 'mm-nsat-add-0.2',
  'ns-exp-2': 'ns-exp-2',
  'mm-nsat-exp-2': 'mm-nsat-exp-2',
  'ns-exp-0.5': 'ns-exp-0.5',
  'iw-ns': 'iw-ns',
  hinge: 'hinge',
  ls: 'ls',
};

/** Settings that vary the schedule, G's β2, the Adam resets and the reduction across costs. */
const VARIATIONS: Partial<Record<string, Partial<SeedAxisCase['config']>>> = {
  mm: { generatorAdam: { beta2: 0.99 } },
  ns: { schedule: 'alternating', discriminatorSteps: 2 },
  'mm-nsat': { resetGeneratorAdamEvery: 2 },
  'mm-unit': { costOptions: { unitNorm: 'parameter-count' } },
  'ns-unit': { schedule: 'alternating' },
  'ns+mm-nsat(0.6)': { costOptions: { reduction: 'sum' } },
  hinge: { schedule: 'alternating', discriminatorSteps: 2, generatorAdam: { beta2: 0.99 } },
  ls: { gradientPenalty: 10 },
};

function caseFor(name: string, index: number): SeedAxisCase {
  return {
    label: name,
    seeds: index % 2 === 0 ? [1, 2, 3] : [7, 20],
    config: {
      cost: name,
      steps: 4,
      batchSize: 6,
      generatorAdam: { learningRate: 1e-3 },
      discriminatorAdam: { learningRate: 1e-3 },
      ...VARIATIONS[name],
    },
    measuredSteps: [1, 4],
  };
}

Object.values(COST_NAMES).forEach((name, index) => {
  test(`seed axis equals separate runs: ${name}`, async () => {
    await selectBackend('wasm');
    const testCase = caseFor(name, index);
    const separate = await trainSeparately(testCase);
    const batched = await trainBatched(testCase);
    const differences = outcomeDifferences(batched, separate);
    assert.equal(differences.slice(0, 5), [], `${differences.length} differences`);
  });
});

test('seed axis equals separate runs on cpu', async () => {
  await selectBackend('cpu');
  const testCase = caseFor('mm-nsat', 0);
  const differences = outcomeDifferences(await trainBatched(testCase), await trainSeparately(testCase));
  assert.equal(differences.slice(0, 5), []);
});

test.run();

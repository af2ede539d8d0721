import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { CLAIM_IDS } from '../src/claims/claim.ts';
import type { ClaimEvidence, PropertyRecord, SimulationRecord } from '../src/claims/evidence.ts';
import { propertyFindings, runClaimProperties } from '../src/claims/propertyFindings.ts';
import { computeClaimOutcomes } from '../src/claims/registry.ts';
import { readSimulationEvidence, simulationFindings } from '../src/claims/simulationFindings.ts';
import { adamVanishingSimulation, type AdamVanishingResult } from '../sims/adamVanishing.ts';
import type { SimulationEvidence } from '../sims/evidence.ts';
import type { ExperimentResult } from '../experiments/experiment.ts';
import { everyFigureSection, FAILING_PROPERTY, fixtureExperiment, gpuOnlyExperiment, PASSING_PROPERTY } from './reportFixtures.ts';

const SEED = 20240601;

function evidence(overrides: Partial<ClaimEvidence>): ClaimEvidence {
  return { properties: [], simulations: [], experiments: [], catalogue: [], scale: 'quick', ...overrides };
}

function outcome(claims: ReturnType<typeof computeClaimOutcomes>, id: string) {
  const found = claims.find((claim) => claim.id === id);
  assert.ok(found, `claim ${id} is in the outcomes`);
  return found;
}

function experimentResult(claims: ExperimentResult['claims'], experiment = 'ring'): ExperimentResult {
  return { experiment, scale: 'quick', sections: [], claims, runs: [], seconds: 1 };
}

/** Builds the record of a simulation that ran and stated evidence for one claim. */
function simulationRecord(claim: string, held: boolean, statement = 'measured 1.5e-4 against 1.5e-4.'): SimulationRecord {
  const evidence: SimulationEvidence = { claim, simulation: 'fixture-sim', statement, values: {}, held };
  return { name: 'fixture-sim', description: '', options: {}, result: {}, section: everyFigureSection(), evidence: [evidence], seconds: 0 };
}

/** Runs the Adam simulation at its default setting, with a 3 × 3 regime map to keep it fast. */
function adamResult(): AdamVanishingResult {
  const options = { ...adamVanishingSimulation.defaults, mapColumns: 3, mapRows: 3 };
  return adamVanishingSimulation.run(options);
}

test('passing property: claim held', async () => {
  const records = await runClaimProperties([PASSING_PROPERTY], { seed: SEED });

  const claims = computeClaimOutcomes(evidence({ properties: records }));

  const c1 = outcome(claims, 'C1');
  assert.is(c1.verdict, 'held');
  assert.match(c1.evidence, /σ\(l\) lies in \(0, 1\)/);
  assert.match(c1.evidence, /50 runs/);
  assert.match(c1.evidence, new RegExp(`seed ${SEED}`));
  assert.equal(c1.sources, ['property: σ(l) lies in (0, 1)']);
});

test('many passing properties: counts in evidence, names in sources', async () => {
  const definitions = [1, 2, 3, 4].map((index) => ({ ...PASSING_PROPERTY, name: `σ bound ${index}`, numRuns: 10 * index }));
  const records = await runClaimProperties(definitions, { seed: SEED });

  const c1 = outcome(computeClaimOutcomes(evidence({ properties: records })), 'C1');

  assert.is(c1.verdict, 'held');
  assert.is(c1.evidence, `4 properties held (fast-check seed ${SEED}): 10–40 runs each, named in the sources.`);
  assert.equal(c1.sources, ['property: σ bound 1', 'property: σ bound 2', 'property: σ bound 3', 'property: σ bound 4']);
});

test('failing property: not held with the shrunk counterexample', async () => {
  const records = await runClaimProperties([FAILING_PROPERTY], { seed: SEED });

  const claims = computeClaimOutcomes(evidence({ properties: records }));

  const c2 = outcome(claims, 'C2');
  assert.is(c2.verdict, 'not held');
  assert.is(records[0].counterexample, '[11]');
  assert.match(c2.evidence, /failed on \[11\]/);
  assert.match(c2.evidence, new RegExp(`seed ${SEED}`));
});

test('one failing property of several makes the claim not held', async () => {
  const failingC1 = { ...FAILING_PROPERTY, claim: 'C1' };
  const records = await runClaimProperties([PASSING_PROPERTY, failingC1], { seed: SEED });

  const c1 = outcome(computeClaimOutcomes(evidence({ properties: records })), 'C1');

  assert.is(c1.verdict, 'not held');
  assert.match(c1.evidence, /^1 of 2 properties failed/);
  assert.match(c1.evidence, /Held: “σ\(l\) lies in \(0, 1\)”/);
});

test('claim with no evidence reads not run', () => {
  const claims = computeClaimOutcomes(evidence({}));

  assert.equal(claims.map((claim) => claim.id), CLAIM_IDS);
  for (const claim of claims) assert.is(claim.verdict, 'not run', claim.id);
  assert.is(outcome(claims, 'C5').evidence, 'No property in this suite checks this claim.');
  assert.is(outcome(claims, 'C10').evidence, 'No experiment in this suite gives evidence for this claim yet.');
});

test('not run names the experiment and scale that would run it', () => {
  const claims = computeClaimOutcomes(evidence({ catalogue: [gpuOnlyExperiment(), fixtureExperiment()], scale: 'cpu' }));

  assert.is(
    outcome(claims, 'C18').evidence,
    'Not run at scale cpu: experiment fixture-cifar runs it at scale gpu (suite paper-gpu).',
  );
  assert.match(outcome(claims, 'C12').evidence, /fixture-ring runs it at scale quick \(suite quick\) or scale cpu \(suite paper-cpu\)/);
});

test('property that cannot be built counts as failed', async () => {
  const broken = { claim: 'C3', name: 'broken builder', property: (): never => { throw new Error('no such cost'); } };

  const records = await runClaimProperties([broken], { seed: SEED });

  assert.is(records[0].passed, false);
  assert.match(records[0].error ?? '', /could not be built: no such cost/);
  assert.is(outcome(computeClaimOutcomes(evidence({ properties: records })), 'C3').verdict, 'not held');
});

test('asynchronous properties run too', async () => {
  const asynchronous = {
    claim: 'C4',
    name: 'async identity',
    numRuns: 10,
    property: () => fc.asyncProperty(fc.integer(), async (value) => value === value),
  };

  const records = await runClaimProperties([asynchronous], { seed: SEED });

  assert.is(records[0].passed, true);
  assert.is(records[0].numRuns, 10);
});

test('extra properties belong to no claim', () => {
  const record: PropertyRecord = { claim: 'extra', name: 'guard', passed: false, numRuns: 1, seed: 1, seconds: 0 };

  assert.equal(propertyFindings([record]), []);
});

test('aborted signal stops the properties', async () => {
  const controller = new AbortController();
  controller.abort(new Error('stop'));

  try {
    await runClaimProperties([PASSING_PROPERTY], { seed: SEED, signal: controller.signal });
    assert.unreachable('an aborted run must reject');
  } catch (error) {
    assert.is((error as Error).message, 'stop');
  }
});

test('C8 held from the Adam simulation', () => {
  const result = adamResult();

  const adamEvidence = readSimulationEvidence('adam-vanishing', result);
  const record = { ...simulationRecord('C8', true), name: 'adam-vanishing', result, evidence: adamEvidence };
  const c8 = outcome(computeClaimOutcomes(evidence({ simulations: [record] })), 'C8');

  assert.is(c8.verdict, 'held');
  assert.match(c8.evidence, /^Simulation adam-vanishing: .*decays at -4\.99\d+e-4 per step against a − ½ ln β2 = -4\.9975e-4/);
  assert.equal(c8.sources, ['simulation: adam-vanishing']);
});

test('C8 not held for a decay rate off a − ½ ln β2', () => {
  const result = { ...adamResult() };
  result.measuredDecayRate = 1.5 * result.predictedDecayRate;

  const [finding] = readSimulationEvidence('adam-vanishing', result);

  assert.is(finding.claim, 'C8');
  assert.is(finding.held, false);
});

test('simulation evidence: held, not held, extra', () => {
  const records = [simulationRecord('C3', true), simulationRecord('C9', false), simulationRecord('extra', false)];

  const findings = simulationFindings(records);

  assert.equal(findings.map((finding) => [finding.claim, finding.verdict]), [['C3', 'held'], ['C9', 'not held']]);
  assert.is(findings[0].evidence, 'Simulation fixture-sim: measured 1.5e-4 against 1.5e-4.');
});

test('simulation without a reader gives no evidence', () => {
  assert.equal(readSimulationEvidence('fixture-figures', { steps: 3 }), []);
});

test('property and simulation findings combine: one failure decides', async () => {
  const passingC8 = { ...PASSING_PROPERTY, claim: 'C8' };
  const records = await runClaimProperties([passingC8], { seed: SEED });

  const c8 = outcome(computeClaimOutcomes(evidence({ properties: records, simulations: [simulationRecord('C8', false)] })), 'C8');

  assert.is(c8.verdict, 'not held');
  assert.match(c8.evidence, /^Simulation fixture-sim/, 'the failing finding comes first');
  assert.equal(c8.sources, ['property: σ(l) lies in (0, 1)', 'simulation: fixture-sim']);
});

test('experiment outcomes give C10–C19 their verdicts', () => {
  const result = experimentResult([
    { id: 'C12', title: 'ring', verdict: 'held', evidence: 'MM covered 8 of 8 modes.', sources: ['run: ring-mm-1'] },
    { id: 'C17', title: 'hinge', verdict: 'not held', evidence: 'Hinge kept 8 of 8 modes.', sources: [] },
  ]);

  const claims = computeClaimOutcomes(evidence({ experiments: [result] }));

  assert.is(outcome(claims, 'C12').verdict, 'held');
  assert.is(outcome(claims, 'C12').evidence, 'ring (scale quick): MM covered 8 of 8 modes.');
  assert.is(outcome(claims, 'C17').verdict, 'not held');
  assert.equal(outcome(claims, 'C17').sources, ['experiment: ring']);
});

test('a held part and a part not run give not run', () => {
  const ring = experimentResult([{ id: 'C12', title: '', verdict: 'held', evidence: 'Ring held.', sources: ['run: a'] }]);
  const spiral = experimentResult([{ id: 'C12', title: '', verdict: 'not run', evidence: 'MNIST files missing.', sources: [] }], 'spiral');

  const c12 = outcome(computeClaimOutcomes(evidence({ experiments: [ring, spiral] })), 'C12');

  assert.is(c12.verdict, 'not run');
  assert.match(c12.evidence, /^Partly measured, and what ran held: ring \(scale quick\): Ring held\. Not run: spiral/);
});

test('not run at this scale names the larger scales', () => {
  const saturation = experimentResult([{ id: 'C10', title: '', verdict: 'not run', evidence: 'Too few epochs.', sources: [] }], 'saturation');
  const catalogue = [{ name: 'saturation', claims: ['C10'], scales: ['quick' as const, 'cpu' as const] }];

  const c10 = outcome(computeClaimOutcomes(evidence({ experiments: [saturation], catalogue })), 'C10');

  assert.is(c10.verdict, 'not run');
  assert.is(
    c10.evidence,
    'Not run: saturation (scale quick): Too few epochs. To measure it, experiment saturation also runs at scale cpu (suite paper-cpu).',
  );
});

test('held claim notes experiments that did not run', () => {
  const ring = experimentResult([{ id: 'C12', title: '', verdict: 'held', evidence: 'Ring held.', sources: [] }]);
  const spiral = { name: 'spiral', claims: ['C12'], scales: ['cpu' as const] };

  const c12 = outcome(computeClaimOutcomes(evidence({ experiments: [ring], catalogue: [spiral] })), 'C12');

  assert.is(c12.verdict, 'held');
  assert.match(c12.evidence, /Other evidence: Not run at scale quick: experiment spiral runs it at scale cpu \(suite paper-cpu\)\.$/);
});

test.run();

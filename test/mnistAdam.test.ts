import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ADAM_RESET_EVERY, ADAM_VARIANTS, adamScales, planAdamRuns } from '../experiments/mnist-adam/index.ts';
import { adamVerdict, updateLevels, updateMeasures } from '../experiments/mnist-adam/verdict.ts';
import type { LoadedRun } from '../experiments/mnist-coverage/mnistRuns.ts';

const STEPS_PER_EPOCH = 100;

/** G's update norm logged every 10 steps over five epochs, from a function of the step. */
function updateRun(label: string, seed: number, norm: (step: number) => number): LoadedRun {
  const rows = Array.from({ length: 50 }, (_, i) => ({ step: 10 * (i + 1), updateNormGenerator: norm(10 * (i + 1)) }));
  return {
    id: `${label}-${seed}`,
    variant: { label, id: label, cost: 'mm' },
    setup: { preset: 'fc-4', classMetrics: false },
    seed,
    train: { cost: 'mm', steps: 500, seed },
    status: null,
    rows,
    samples: null,
  };
}

const measures = (label: string, norm: (step: number) => number) =>
  updateMeasures(label, [updateRun(label, 1, norm), updateRun(label, 2, norm)], STEPS_PER_EPOCH);

const vanishesAt = (step: number, level = 1e-5) => (at: number) => (at < step ? 1 : level);
/** Down to 1 % late in the run with returns to the first level, as MM-β2's updates dip. */
const dipping = (at: number) => (at < 300 || at % 40 === 0 ? 1 : 1e-2);

test('update levels: reference, end and first step below 1 %', () => {
  const levels = updateLevels(updateRun('MM', 1, vanishesAt(300)), STEPS_PER_EPOCH);

  assert.equal(levels, { reference: 1, end: 1e-5, endMaximum: 1e-5, vanishStep: 300 });
});

test('update levels: a dip inside the first epoch is not a vanishing step', () => {
  const levels = updateLevels(updateRun('MM', 1, (step) => (step === 50 ? 1e-6 : 1)), STEPS_PER_EPOCH);

  assert.is(levels?.vanishStep, Number.POSITIVE_INFINITY);
});

test('C14 held: G-only β2 and reset keep training, D-only vanishes earlier', () => {
  const outcome = adamVerdict(
    {
      mm: measures('MM', vanishesAt(300)),
      generatorBeta2: measures('MM-β2', dipping),
      generatorReset: measures('reset', () => 0.5),
      discriminatorBeta2: measures('D β2', vanishesAt(200)),
    },
    5,
    [],
  );

  assert.is(outcome.verdict, 'held');
  assert.match(outcome.evidence, /D β2 end 1\.0e-5, largest 1\.0e-5, below 1 % from step 200/);
});

test('C14 held: D-only vanishes later but deeper', () => {
  const outcome = adamVerdict(
    {
      mm: measures('MM', vanishesAt(300, 1e-3)),
      generatorBeta2: measures('MM-β2', () => 1),
      generatorReset: measures('reset', () => 1),
      discriminatorBeta2: measures('D β2', vanishesAt(350, 1e-6)),
    },
    5,
    [],
  );

  assert.is(outcome.verdict, 'held');
});

test('C14 not held: D-only β2 keeps training', () => {
  const outcome = adamVerdict(
    {
      mm: measures('MM', vanishesAt(300)),
      generatorBeta2: measures('MM-β2', () => 1),
      generatorReset: measures('reset', () => 1),
      discriminatorBeta2: measures('D β2', () => 1),
    },
    5,
    [],
  );

  assert.is(outcome.verdict, 'not held');
});

test('C14 not held: resetting G vanishes too', () => {
  const outcome = adamVerdict(
    {
      mm: measures('MM', vanishesAt(300)),
      generatorBeta2: measures('MM-β2', () => 1),
      generatorReset: measures('reset', vanishesAt(300)),
      discriminatorBeta2: measures('D β2', vanishesAt(200)),
    },
    5,
    [],
  );

  assert.is(outcome.verdict, 'not held');
});

test('C14 not run: MM did not vanish, figures given', () => {
  const outcome = adamVerdict(
    {
      // Halved after three epochs: a drop, far from vanishing.
      mm: measures('MM', vanishesAt(300, 0.5)),
      generatorBeta2: measures('MM-β2', () => 1),
      generatorReset: measures('reset', () => 1),
      discriminatorBeta2: measures('D β2', vanishesAt(200)),
    },
    5,
    [],
  );

  assert.is(outcome.verdict, 'not run');
  assert.match(outcome.evidence, /MM end 5\.0e-1/);
});

test('C14 not run: shorter than four epochs', () => {
  const vanishing = measures('MM', vanishesAt(300));
  const outcome = adamVerdict({ mm: vanishing, generatorBeta2: vanishing, generatorReset: vanishing, discriminatorBeta2: vanishing }, 2, []);

  assert.is(outcome.verdict, 'not run');
});

test('planned runs: MM and MM-β2 are mnist-saturation cpu runs', () => {
  const plan = planAdamRuns(adamScales().cpu);

  // mnist-saturation's cpu scale: 5 epochs of batch 128, diagnostics every 20 steps.
  const base = { steps: 2345, batchSize: 128, logEvery: 20, checkpointEvery: 500 };
  assert.equal(
    plan.reused.map((run) => run.id),
    ['fc-4__mm__seed1', 'fc-4__mm__seed2', 'fc-4__mm-beta2__seed1', 'fc-4__mm-beta2__seed2'],
  );
  assert.equal(plan.reused[0].train, { ...base, cost: 'mm', seed: 1 });
  assert.equal(plan.reused[2].train, { ...base, generatorAdam: { beta2: 0.99 }, cost: 'mm', seed: 1 });
  assert.equal(plan.reused[0].setup, { preset: 'fc-4', classMetrics: false });
});

test('planned runs: own variants change only Adam', () => {
  const plan = planAdamRuns(adamScales().gpu);

  assert.equal(
    plan.own.filter((run) => run.seed === 1).map((run) => run.id),
    ['fc-4__mm-beta2-both__seed1', 'fc-4__mm-beta2-discriminator__seed1', `fc-4__mm-reset-${ADAM_RESET_EVERY}__seed1`],
  );
  assert.is(plan.own.length, 9);
  assert.equal(plan.own[0].train.discriminatorAdam, { beta2: 0.99 });
  assert.equal(plan.own[0].train.generatorAdam, { beta2: 0.99 });
  assert.equal(plan.own[3].train.discriminatorAdam, { beta2: 0.99 });
  assert.is(plan.own[3].train.generatorAdam, undefined);
  assert.is(plan.own[6].train.resetGeneratorAdamEvery, ADAM_RESET_EVERY);
  assert.is(plan.own[6].train.steps, 4690);
  assert.is(ADAM_VARIANTS.length, 5);
});

test.run();

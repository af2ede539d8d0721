import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { medianSeries, planRuns, type LoadedRun } from '../experiments/mnist-coverage/mnistRuns.ts';
import { coverageVerdict, unitVerdict, type RunsByPreset } from '../experiments/mnist-coverage/verdicts.ts';
import { saturationVerdict, variantRatios, type SaturationWindow } from '../experiments/mnist-saturation/verdict.ts';
import type { MetricRow } from '../src/train/runStore.ts';

const STEPS_PER_EPOCH = 100;

/** Returns the rule's window at the paper's settings for runs of `epochs` epochs. */
function epochWindow(epochs: number): SaturationWindow {
  return {
    steps: epochs * STEPS_PER_EPOCH,
    referenceSteps: STEPS_PER_EPOCH,
    minimumSteps: 4 * STEPS_PER_EPOCH,
    referenceLabel: 'the first epoch',
    minimumLabel: '4 epochs',
  };
}

function run(label: string, seed: number, rows: MetricRow[]): LoadedRun {
  return {
    id: `${label}-${seed}`,
    variant: { label, id: label.toLowerCase(), cost: label.toLowerCase() },
    setup: { preset: 'fc-4' },
    seed,
    train: { cost: label.toLowerCase(), steps: rows.at(-1)?.step ?? 0, seed },
    status: null,
    rows,
    samples: null,
  };
}

/** Gradient norms logged every 10 steps over five epochs, from a function of the step. */
function gradientRun(label: string, norm: (step: number) => number): LoadedRun {
  const rows = Array.from({ length: 50 }, (_, i) => ({ step: 10 * (i + 1), gradientNormGenerator: norm(10 * (i + 1)) }));
  return run(label, 1, rows);
}

test('C10 held: MM vanishes after three epochs, the others keep their level', () => {
  const mm = variantRatios('MM', [gradientRun('MM', (step) => (step < 300 ? 1 : 1e-5))], STEPS_PER_EPOCH);
  const others = ['NS', 'MM-nsat', 'MM-β2'].map((label) => variantRatios(label, [gradientRun(label, () => 2)], STEPS_PER_EPOCH));

  const outcome = saturationVerdict(mm, others, epochWindow(5), []);

  assert.is(outcome.verdict, 'held');
  assert.match(outcome.evidence, /MM 1\.0e-5 \(largest 1\.0e-5\)/);
});

test('C10 held: MM-β2 dips and recovers', () => {
  const mm = variantRatios('MM', [gradientRun('MM', (step) => (step < 300 ? 1 : 1e-5))], STEPS_PER_EPOCH);
  // Mostly a hundred times below its first level late in the run, with returns to it.
  const dipping = variantRatios('MM-β2', [gradientRun('MM-β2', (step) => (step < 300 || step % 40 === 0 ? 1 : 1e-2))], STEPS_PER_EPOCH);

  assert.is(saturationVerdict(mm, [dipping], epochWindow(5), []).verdict, 'held');
});

test('C10 not held: MM recovers at the end', () => {
  // Down by five orders of magnitude, but back to the first level in the last tenth.
  const mm = variantRatios('MM', [gradientRun('MM', (step) => (step < 300 || step > 460 ? 1 : 1e-5))], STEPS_PER_EPOCH);
  const others = [variantRatios('NS', [gradientRun('NS', () => 1)], STEPS_PER_EPOCH)];

  assert.is(saturationVerdict(mm, others, epochWindow(5), []).verdict, 'not held');
});

test('C10 not held: MM-nsat vanishes too', () => {
  const vanishing = (step: number) => (step < 300 ? 1 : 1e-5);
  const mm = variantRatios('MM', [gradientRun('MM', vanishing)], STEPS_PER_EPOCH);
  const others = [variantRatios('MM-nsat', [gradientRun('MM-nsat', vanishing)], STEPS_PER_EPOCH)];

  assert.is(saturationVerdict(mm, others, epochWindow(5), []).verdict, 'not held');
});

test('C10 not run: shorter than four epochs', () => {
  const mm = variantRatios('MM', [gradientRun('MM', () => 1e-6)], STEPS_PER_EPOCH);

  assert.is(saturationVerdict(mm, [], epochWindow(0.5), []).verdict, 'not run');
});

test('C10 window counted in steps', () => {
  // Logged every 10 steps to step 500; MM is at 1 for its first 30 steps only, then 1e-5, then 1e-6.
  const mmNorm = (step: number) => {
    if (step <= 30) return 1;
    return step < 350 ? 1e-5 : 1e-6;
  };
  const window = { steps: 500, referenceSteps: 30, minimumSteps: 400, referenceLabel: 'the first 30 steps', minimumLabel: '400 steps' };
  const mm = variantRatios('MM', [gradientRun('MM', mmNorm)], window.referenceSteps);
  const others = [variantRatios('MM-nsat', [gradientRun('MM-nsat', () => 2)], window.referenceSteps)];

  const outcome = saturationVerdict(mm, others, window, []);
  assert.is(outcome.verdict, 'held');
  assert.match(outcome.evidence, /relative to the first 30 steps/);
  assert.match(outcome.evidence, /median and largest value \(one seed\)/);
  // Against the first epoch (100 steps) MM's reference is 1e-5, and its end is only one order below it.
  assert.is(saturationVerdict(variantRatios('MM', [gradientRun('MM', mmNorm)], STEPS_PER_EPOCH), others, epochWindow(5), []).verdict, 'not held');

  const short = saturationVerdict(mm, others, { ...window, minimumSteps: 600, minimumLabel: '600 steps' }, []);
  assert.is(short.verdict, 'not run');
  assert.match(short.evidence, /at least 600 steps/);
});

/** Runs of one preset whose D_JS evaluations are given per variant and seed. */
function coverageRuns(divergences: Record<string, number[]>, gradientNorm = 1): RunsByPreset {
  const variants = new Map<string, LoadedRun[]>();
  for (const [label, values] of Object.entries(divergences)) {
    variants.set(
      label,
      values.map((value, seed) =>
        run(label, seed, [1, 2, 3].map((k) => ({ step: 100 * k, classDivergence: value, gradientNormGenerator: gradientNorm }))),
      ),
    );
  }
  return new Map([['fc-4', variants]]);
}

test('C11 held when MM-nsat ends with the lower D_JS', () => {
  const outcome = coverageVerdict(coverageRuns({ NS: [0.2, 0.3], 'MM-nsat': [0.05, 0.1] }), 2, []);

  assert.is(outcome.verdict, 'held');
  assert.match(outcome.evidence, /fc-4: MM-nsat 0\.075, NS 0\.250/);
});

test('C11 not held when NS ends lower; not run when too short', () => {
  assert.is(coverageVerdict(coverageRuns({ NS: [0.05], 'MM-nsat': [0.2] }), 2, []).verdict, 'not held');
  assert.is(coverageVerdict(coverageRuns({ NS: [0.2], 'MM-nsat': [0.05] }), 0.5, []).verdict, 'not run');
});

test('C11 not run while samples sit in one class', () => {
  // The cpu-scale FC-4 runs after 2 epochs: nearly every generated digit classified as one class.
  const outcome = coverageVerdict(coverageRuns({ NS: [0.75, 0.763], 'MM-nsat': [0.639, 0.714] }), 2, []);

  assert.is(outcome.verdict, 'not run');
  assert.match(outcome.evidence, /late D_JS\^CD is at least 0\.5 bits \(lowest 0\.639;/);
  assert.is(coverageVerdict(coverageRuns({ NS: [0.75, 0.763], 'MM-nsat': [0.45, 0.714] }), 2, []).verdict, 'held');
});

test('C13 held: unit norms, D_JS apart', () => {
  const outcome = unitVerdict(coverageRuns({ 'MM-unit': [0.05, 0.06], 'NS-unit': [0.2, 0.25] }), 2, []);

  assert.is(outcome.verdict, 'held');
});

test('C13 not held: seed ranges overlap, or the norms are not 1', () => {
  assert.is(unitVerdict(coverageRuns({ 'MM-unit': [0.05, 0.3], 'NS-unit': [0.2, 0.25] }), 2, []).verdict, 'not held');
  assert.is(unitVerdict(coverageRuns({ 'MM-unit': [0.05], 'NS-unit': [0.2] }, 1.01), 2, []).verdict, 'not held');
});

test('planned runs: variant × preset × seed with folder-safe ids', () => {
  const variants = [{ label: 'MM-β2', id: 'mm-beta2', cost: 'mm', train: { generatorAdam: { beta2: 0.99 } } }];

  const runs = planRuns(variants, [{ preset: 'fc-4' }, { preset: 'conv-4', width: 8 }], [1, 2], { steps: 10, batchSize: 16 });

  assert.equal(runs.map((entry) => entry.id), ['fc-4__mm-beta2__seed1', 'fc-4__mm-beta2__seed2', 'conv-4__mm-beta2__seed1', 'conv-4__mm-beta2__seed2']);
  assert.equal(runs[0].train, { steps: 10, batchSize: 16, generatorAdam: { beta2: 0.99 }, cost: 'mm', seed: 1 });
});

test('planned runs: variant Adam adds to base', () => {
  const variants = [{ label: 'MM-β2', id: 'mm-beta2', cost: 'mm', train: { generatorAdam: { beta2: 0.99 } } }];
  const base = { steps: 10, batchSize: 16, generatorAdam: { learningRate: 3e-4 }, discriminatorAdam: { learningRate: 3e-4 } };

  const [planned] = planRuns(variants, [{ preset: 'fc-4' }], [1], base);

  assert.equal(planned.train.generatorAdam, { learningRate: 3e-4, beta2: 0.99 });
  assert.equal(planned.train.discriminatorAdam, { learningRate: 3e-4 });
});

test('median series over seeds, band at the common steps', () => {
  const runs = [
    run('NS', 1, [{ step: 10, classDivergence: 0.1 }, { step: 20, classDivergence: 0.4 }]),
    run('NS', 2, [{ step: 10, classDivergence: 0.3 }, { step: 20, classDivergence: 0.2 }, { step: 30, classDivergence: 0.9 }]),
    run('NS', 3, [{ step: 10, classDivergence: 0.2 }, { step: 20, classDivergence: 0.6 }]),
  ];

  const series = medianSeries('NS', runs, 'classDivergence');

  assert.equal(series?.x, [10, 20]);
  assert.equal(series?.y, [0.2, 0.4]);
  assert.equal(series?.band, { low: [0.1, 0.2], high: [0.3, 0.6] });
});

test.run();

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { selectBackend } from '../src/backend.ts';
import type { LoadedRun } from '../experiments/mnist-coverage/mnistRuns.ts';
import { penaltyScales, planPenaltyRuns, runPenalty, type PenaltyScaleSettings } from '../experiments/mnist-penalty/index.ts';
import { gapTrend, penaltyVerdict, type PenaltyPoint } from '../experiments/mnist-penalty/verdict.ts';
import { planReusedRuns, variantsScales } from '../experiments/mnist-variants/index.ts';

/** Two seeds whose late D_JS is `divergence` ± 0.005 and late Fréchet distance `frechet` ± 0.5. */
function seeds(cost: string, weight: number, divergence: number, frechet: number): LoadedRun[] {
  return [-1, 1].map((sign, i) => ({
    id: `${cost}-${weight}-${i}`,
    variant: { label: cost, id: cost, cost },
    setup: { preset: 'fc-4' as const },
    seed: i + 1,
    train: { cost, steps: 300, seed: i + 1, gradientPenalty: weight },
    status: null,
    rows: [1, 2, 3].map((k) => ({ step: 100 * k, classDivergence: divergence + 0.005 * sign, frechetDistance: frechet + 0.5 * sign })),
    samples: null,
  }));
}

/** Penalty points from late D_JS and Fréchet distance of NS and MM-nsat per λ. */
function points(rows: [number, number, number, number, number][]): PenaltyPoint[] {
  return rows.map(([weight, nsDivergence, nsatDivergence, nsFrechet, nsatFrechet]) => ({
    weight,
    ns: seeds('ns', weight, nsDivergence, nsFrechet),
    nsat: seeds('mm-nsat', weight, nsatDivergence, nsatFrechet),
  }));
}

test('gap trend: gaps per λ and their rank correlation', () => {
  const trend = gapTrend(points([[0, 0.3, 0.05, 40, 20], [1, 0.2, 0.06, 35, 22], [10, 0.12, 0.08, 30, 25], [100, 0.1, 0.09, 28, 27]]), 'classDivergence', 'D_JS');

  assert.equal(trend.weights, [0, 1, 10, 100]);
  assert.equal(trend.gaps.map((gap) => Number(gap.toFixed(6))), [0.25, 0.14, 0.04, 0.01]);
  assert.is(trend.rho, -1);
  assert.ok(trend.shrinks);
});

test('C16 held: both gaps close as λ grows', () => {
  const outcome = penaltyVerdict(points([[0, 0.3, 0.05, 40, 20], [1, 0.2, 0.06, 35, 22], [10, 0.12, 0.08, 30, 25], [100, 0.1, 0.09, 28, 27]]), []);

  assert.is(outcome.verdict, 'held');
  assert.match(outcome.evidence, /D_JS\^CD gap λ 0: 0\.250, λ 1: 0\.140, λ 10: 0\.040, λ 100: 0\.010 \(ρ = -1\.00\)/);
});

test('C16 not run while unpenalised samples sit in one class', () => {
  // As in the 2-epoch cpu runs: one class without the penalty, digits of many classes with it.
  const outcome = penaltyVerdict(points([[0, 0.75, 0.6, 500, 480], [1, 0.25, 0.2, 290, 240], [10, 0.04, 0.035, 110, 112], [100, 0.28, 0.37, 300, 298]]), []);

  assert.is(outcome.verdict, 'not run');
  assert.match(outcome.evidence, /Without the penalty, every run's late D_JS\^CD is at least 0\.5 bits \(lowest 0\.595;/);
  assert.match(outcome.evidence, /Measured anyway: D_JS\^CD gap λ 0: 0\.150, λ 1: 0\.050, λ 10: 0\.005, λ 100: 0\.090/);
});

test('C16 not held: the Fréchet gap is widest at the largest λ', () => {
  const outcome = penaltyVerdict(points([[0, 0.3, 0.05, 40, 20], [1, 0.2, 0.06, 35, 22], [10, 0.12, 0.08, 30, 25], [100, 0.1, 0.09, 60, 27]]), []);

  assert.is(outcome.verdict, 'not held');
});

test('C16 not run: gaps fall unevenly', () => {
  // D_JS gaps 0.25, 0.05, 0.2, 0.1: smaller at λ = 100 than at 0, but ρ = −0.4.
  const outcome = penaltyVerdict(points([[0, 0.3, 0.05, 40, 20], [1, 0.1, 0.05, 35, 22], [10, 0.25, 0.05, 30, 25], [100, 0.15, 0.05, 28, 27]]), []);

  assert.is(outcome.verdict, 'not run');
  assert.match(outcome.evidence, /too unevenly/);
});

test('C16 not run: NS and MM-nsat overlap at λ = 0', () => {
  const outcome = penaltyVerdict(points([[0, 0.1, 0.105, 40, 20], [1, 0.2, 0.06, 35, 22], [10, 0.12, 0.08, 30, 25], [100, 0.1, 0.09, 28, 27]]), []);

  assert.is(outcome.verdict, 'not run');
  assert.match(outcome.evidence, /no gap for the penalty to close/);
});

test('planned runs: λ = 0 reuses mnist-coverage', () => {
  const cpu = penaltyScales().cpu;
  const plan = planPenaltyRuns(cpu);
  const coverage = planReusedRuns(variantsScales().cpu);

  assert.equal(plan.reused, coverage);
  assert.is(plan.own.length, 12);
  assert.is(plan.own[0].id, 'fc-4__ns-gp-1__seed1');
  for (const run of plan.own) {
    const { gradientPenalty, ...rest } = run.train;
    const twin = coverage.find((entry) => entry.train.cost === run.train.cost && entry.seed === run.seed)!;
    assert.equal(rest, twin.train, run.id);
    assert.ok([1, 10, 100].includes(gradientPenalty!), `${run.id}: λ ${gradientPenalty}`);
  }
});

test('planned runs: gpu trains the seeds mnist-coverage lacks', () => {
  const plan = planPenaltyRuns(penaltyScales().gpu);

  assert.is(plan.reused.length, 20);
  assert.is(plan.own.filter((run) => run.train.gradientPenalty === undefined).length, 20);
  assert.is(plan.own.length, 20 + 4 * 2 * 20);
  assert.ok(plan.own.some((run) => run.id === 'fc-4__ns-gp-0p1__seed20'));
});

const directory = mkdtempSync(path.join(tmpdir(), 'mnist-penalty-'));

test('tiny penalty sweep builds its section and verdict', async () => {
  const backend = await selectBackend('wasm');
  const settings: PenaltyScaleSettings = {
    runs: {
      setup: {
        preset: 'fc-4',
        width: 32,
        trainLimit: 256,
        evaluationSamples: 100,
        referenceSamples: 200,
        storedSamples: 4,
        cacheDir: path.join(directory, 'cache'),
        testClassifier: { trainLimit: 2000, testLimit: 500, requiredAccuracy: 0.7 },
      },
      seeds: [1],
      batchSize: 8,
      steps: 6,
      evaluations: 2,
    },
    weights: [0, 10],
    reusedSeeds: [1],
    note: 'Test scale.',
  };
  const context = { runsDir: path.join(directory, 'runs'), backend, progress: () => {} };

  const result = await runPenalty(settings, 'quick', context);

  assert.ok(existsSync(path.join(directory, 'runs', 'mnist-coverage', 'quick', 'fc-4__ns__seed1', 'status.json')), 'λ = 0 under mnist-coverage');
  assert.ok(existsSync(path.join(directory, 'runs', 'mnist-penalty', 'quick', 'fc-4__mm-nsat-gp-10__seed1', 'status.json')), 'λ = 10 under mnist-penalty');
  assert.is(result.runs.length, 4);
  assert.ok(result.runs.every((run) => run.status === 'complete'), 'all runs complete');
  assert.equal(result.runs.map((run) => run.config.gradientPenalty ?? 0), [0, 0, 10, 10]);
  const [section] = result.sections;
  assert.is(section.figures[0].kind, 'scatter');
  assert.is((section.figures[0] as { series: unknown[] }).series.length, 6);
  assert.is(section.tables[0].rows.length, 2);
  assert.not.ok(section.text.some((line) => line.startsWith('Warning')), 'reused runs match the plan');
  assert.is(result.claims.length, 1);
  assert.is(result.claims[0].id, 'C16');
  // One seed has no spread, so λ = 0 cannot separate NS from MM-nsat.
  assert.is(result.claims[0].verdict, 'not run');
});

test.after(() => rmSync(directory, { recursive: true, force: true }));

test.run();

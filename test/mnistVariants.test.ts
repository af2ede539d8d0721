import * as fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { LoadedRun } from '../experiments/mnist-coverage/mnistRuns.ts';
import { planReusedRuns, planVariantRuns, VARIANT_COSTS, variantsScales } from '../experiments/mnist-variants/index.ts';
import { variantId } from '../experiments/mnist-variants/evaluatedRuns.ts';
import { ranks, spearman } from '../experiments/mnist-variants/rankCorrelation.ts';
import {
  divergenceRise,
  emphasis,
  gradualDroppingVerdict,
  orderingVerdict,
  type OrderingFamily,
} from '../experiments/mnist-variants/verdicts.ts';
import { separated, summariseSeeds } from '../experiments/mnist-variants/seedSummaries.ts';

/** Builds a run with D_JS^CD evaluated every 100 steps. */
function run(label: string, cost: string, seed: number, divergences: number[]): LoadedRun {
  return {
    id: `${label}-${seed}`,
    variant: { label, id: variantId(cost), cost },
    setup: { preset: 'fc-4' },
    seed,
    train: { cost, steps: 100 * divergences.length, seed },
    status: { state: 'complete' } as LoadedRun['status'],
    rows: divergences.map((value, i) => ({ step: 100 * (i + 1), classDivergence: value, frechetDistance: 10 * value })),
    samples: null,
  };
}

/** Two seeds whose D_JS stays at `level` ± 0.005 through eight evaluations. */
function flat(label: string, cost: string, level: number): LoadedRun[] {
  return [run(label, cost, 1, Array(8).fill(level - 0.005)), run(label, cost, 2, Array(8).fill(level + 0.005))];
}

/** Two seeds whose D_JS falls to `best` by the fourth evaluation, then climbs to `late`. */
function dropping(label: string, cost: string, best: number, late: number): LoadedRun[] {
  const path = [best + 0.3, best + 0.1, best, best, (best + late) / 2, late, late, late];
  return [run(label, cost, 1, path), run(label, cost, 2, path.map((value) => value + 0.01))];
}

test('ranks: ties share the mean rank', () => {
  assert.equal(ranks([0.3, 0.1, 0.3, 0.2]), [3.5, 1, 3.5, 2]);
});

test('spearman matches 1 − 6Σd²/(n(n² − 1)) without ties', () => {
  const distinct = (n: number) => fc.uniqueArray(fc.integer({ min: -1e6, max: 1e6 }), { minLength: n, maxLength: n });
  const pairs = fc.integer({ min: 3, max: 12 }).chain((n) => fc.tuple(distinct(n), distinct(n)));
  fc.assert(
    fc.property(pairs, ([x, y]) => {
      const rx = ranks(x);
      const ry = ranks(y);
      const n = x.length;
      const squared = rx.reduce((sum, rank, i) => sum + (rank - ry[i]) ** 2, 0);
      const expected = 1 - (6 * squared) / (n * (n * n - 1));
      return Math.abs(spearman(x, y) - expected) < 1e-12;
    }),
  );
});

test('spearman: ±1 for monotone pairs, NaN below three pairs', () => {
  assert.is(spearman([1, 2, 3, 4], [10, 20, 25, 90]), 1);
  assert.is(spearman([1, 2, 3, 4], [9, 8, 7, 1]), -1);
  assert.ok(Number.isNaN(spearman([1, 2], [1, 2])));
  assert.throws(() => spearman([1, 2, 3], [1, 2]), /same length/);
  assert.throws(() => spearman([1, Number.NaN, 3], [1, 2, 3]), /x\[1\] must be a finite number/);
});

test('separated: ranges apart with two seeds each', () => {
  assert.ok(separated(summariseSeeds([0.1, 0.12]), summariseSeeds([0.2, 0.3])));
  assert.not.ok(separated(summariseSeeds([0.1, 0.25]), summariseSeeds([0.2, 0.3])));
  assert.not.ok(separated(summariseSeeds([0.1]), summariseSeeds([0.3])));
});

test('emphasis orders the scaling factors by the two-mode slope', () => {
  const ordered = ['mm-nsat-exp-2', 'mm-nsat', 'mm-nsat-add-0.5', 'ns+mm-nsat(0.67)', 'ns+mm-nsat(0.33)', 'ns-add-0.5', 'ns', 'ns-exp-2'];
  const slopes = ordered.map(emphasis);

  assert.equal(slopes.map((slope) => Number(slope.toFixed(2))), [0, 0.5, 0.75, 0.83, 1.17, 1.25, 1.5, 2]);
});

function combinations(divergences: Record<string, number>): OrderingFamily {
  const costs: Record<string, string> = { NS: 'ns', 'NS+MM-nsat(0.33)': 'ns+mm-nsat(0.33)', 'NS+MM-nsat(0.67)': 'ns+mm-nsat(0.67)', 'MM-nsat': 'mm-nsat' };
  return {
    name: 'NS+MM-nsat combinations',
    members: Object.entries(divergences).map(([label, level]) => ({ label, cost: costs[label], runs: flat(label, costs[label], level) })),
  };
}

test('C15 held: combinations fall between NS and MM-nsat in the order of a', () => {
  const family = combinations({ NS: 0.3, 'NS+MM-nsat(0.33)': 0.2, 'NS+MM-nsat(0.67)': 0.1, 'MM-nsat': 0.05 });

  const outcome = orderingVerdict([family], family.members[0].runs, family.members[3].runs, []);

  assert.is(outcome.verdict, 'held');
  assert.match(outcome.evidence, /ρ = 1\.00/);
});

test('C15 not held: D_JS falls as emphasis rises', () => {
  const family = combinations({ NS: 0.05, 'NS+MM-nsat(0.33)': 0.1, 'NS+MM-nsat(0.67)': 0.2, 'MM-nsat': 0.3 });

  assert.is(orderingVerdict([family], family.members[0].runs, family.members[3].runs, []).verdict, 'not held');
});

test('C15 not run: NS and MM-nsat within their seed spread', () => {
  const family = combinations({ NS: 0.1, 'NS+MM-nsat(0.33)': 0.2, 'NS+MM-nsat(0.67)': 0.3, 'MM-nsat': 0.105 });

  const outcome = orderingVerdict([family], family.members[0].runs, family.members[3].runs, []);

  assert.is(outcome.verdict, 'not run');
  assert.match(outcome.evidence, /not apart beyond their seed spread/);
});

test('C15 not run: ends apart but the middle unordered', () => {
  // Emphasis ranks 4, 3, 2, 1 against D_JS ranks 3, 1, 4, 2: ρ = 0.
  const family = combinations({ NS: 0.3, 'NS+MM-nsat(0.33)': 0.04, 'NS+MM-nsat(0.67)': 0.35, 'MM-nsat': 0.05 });

  const outcome = orderingVerdict([family], family.members[0].runs, family.members[3].runs, []);

  assert.is(outcome.verdict, 'not run');
  assert.match(outcome.evidence, /ρ = 0\.00/);
});

test('divergence rise: late mean minus the first half minimum', () => {
  const [first] = dropping('NS', 'ns', 0.1, 0.3);

  assert.ok(Math.abs(divergenceRise(first)! - 0.2) < 1e-12, `rise ${divergenceRise(first)}`);
  assert.is(divergenceRise(run('NS', 'ns', 1, [0.1, 0.2, 0.3])), undefined);
});

test('C17 held: Hinge and LS rise like NS and end above MM-nsat', () => {
  const outcome = gradualDroppingVerdict(
    {
      NS: dropping('NS', 'ns', 0.1, 0.3),
      'MM-nsat': flat('MM-nsat', 'mm-nsat', 0.05),
      Hinge: dropping('Hinge', 'hinge', 0.08, 0.2),
      LS: dropping('LS', 'ls', 0.1, 0.25),
    },
    [],
  );

  assert.is(outcome.verdict, 'held');
  assert.match(outcome.evidence, /NS 0\.200, Hinge 0\.120, LS 0\.150/);
});

test('C15 and C17 not run while samples sit in one class', () => {
  const family = combinations({ NS: 0.76, 'NS+MM-nsat(0.33)': 0.72, 'NS+MM-nsat(0.67)': 0.68, 'MM-nsat': 0.6 });
  const ordering = orderingVerdict([family], family.members[0].runs, family.members[3].runs, []);
  const dropping17 = gradualDroppingVerdict(
    {
      NS: dropping('NS', 'ns', 0.55, 0.75),
      'MM-nsat': flat('MM-nsat', 'mm-nsat', 0.6),
      Hinge: dropping('Hinge', 'hinge', 0.55, 0.74),
      LS: dropping('LS', 'ls', 0.55, 0.73),
    },
    [],
  );

  assert.is(ordering.verdict, 'not run');
  assert.match(ordering.evidence, /at least 0\.5 bits/);
  assert.is(dropping17.verdict, 'not run');
  assert.match(dropping17.evidence, /compare sample quality, not class coverage/);
});

test('C17 not held: LS keeps its level', () => {
  const outcome = gradualDroppingVerdict(
    {
      NS: dropping('NS', 'ns', 0.1, 0.3),
      'MM-nsat': flat('MM-nsat', 'mm-nsat', 0.05),
      Hinge: dropping('Hinge', 'hinge', 0.08, 0.2),
      LS: flat('LS', 'ls', 0.06),
    },
    [],
  );

  assert.is(outcome.verdict, 'not held');
});

test('C17 not held: Hinge rises but ends below MM-nsat', () => {
  const outcome = gradualDroppingVerdict(
    {
      NS: dropping('NS', 'ns', 0.1, 0.3),
      'MM-nsat': flat('MM-nsat', 'mm-nsat', 0.2),
      Hinge: dropping('Hinge', 'hinge', 0.02, 0.1),
      LS: dropping('LS', 'ls', 0.1, 0.25),
    },
    [],
  );

  assert.is(outcome.verdict, 'not held');
});

test('C17 not run: NS does not drop modes', () => {
  const outcome = gradualDroppingVerdict(
    {
      NS: flat('NS', 'ns', 0.1),
      'MM-nsat': flat('MM-nsat', 'mm-nsat', 0.05),
      Hinge: dropping('Hinge', 'hinge', 0.08, 0.2),
      LS: dropping('LS', 'ls', 0.1, 0.25),
    },
    [],
  );

  assert.is(outcome.verdict, 'not run');
});

test('variant ids: letters, digits and - from the cost names', () => {
  assert.is(variantId('ns+mm-nsat(0.33)'), 'ns-mm-nsat-0p33');
  assert.is(variantId('mm-nsat-add-0.5'), 'mm-nsat-add-0p5');
  for (const variant of VARIANT_COSTS) assert.match(variantId(variant.cost), /^[a-z0-9-]+$/);
  assert.is(new Set(VARIANT_COSTS.map((variant) => variantId(variant.cost))).size, VARIANT_COSTS.length);
});

test('planned runs: NS and MM-nsat are mnist-coverage FC-4 cpu runs', () => {
  const reused = planReusedRuns(variantsScales().cpu);

  // mnist-coverage's FC-4 cpu runs: 2 epochs of batch 128, 8 evaluations, as its plan derives them.
  const base = { steps: 938, batchSize: 128, logEvery: 50, evaluateEvery: 117, checkpointEvery: 500, sampleSteps: [938] };
  assert.equal(reused.map((entry) => entry.id), ['fc-4__ns__seed1', 'fc-4__ns__seed2', 'fc-4__mm-nsat__seed1', 'fc-4__mm-nsat__seed2']);
  assert.equal(reused[0].train, { ...base, cost: 'ns', seed: 1 });
  assert.equal(reused[3].train, { ...base, cost: 'mm-nsat', seed: 2 });
  assert.equal(reused[0].setup, { preset: 'fc-4', evaluationSamples: 2000, referenceSamples: 10000 });
});

test('planned runs: own variants share the reused runs settings', () => {
  const settings = variantsScales().cpu;
  const [reused] = planReusedRuns(settings);
  const own = planVariantRuns(settings);

  assert.is(own.length, 16);
  assert.is(own[0].id, 'fc-4__ns-mm-nsat-0p33__seed1');
  for (const entry of own) {
    const { cost, seed, ...rest } = entry.train;
    const { cost: _cost, seed: _seed, ...reusedRest } = reused.train;
    assert.equal(rest, reusedRest, entry.id);
    assert.equal(entry.setup, reused.setup, entry.id);
  }
  assert.is(planVariantRuns(variantsScales().gpu).length, VARIANT_COSTS.length * 10);
});

test.run();

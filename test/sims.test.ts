/**
 * Each simulation against the theory it illustrates, on small settings, and the shape of
 * what it hands the report.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Figure } from '../src/figures.ts';
import {
  adamVanishingEvidence,
  adamVanishingSimulation,
  batchWeightingEvidence,
  batchWeightingSimulation,
  scalingFactorsEvidence,
  scalingFactorsSimulation,
  simulations,
  simulationsByName,
  twoModeDropFractions,
  twoModeEvidence,
  twoModeSimulation,
} from '../sims/index.ts';
import { twoModeSlope } from '../src/theory/modeShares.ts';
import { scalingFactor } from '../src/theory/scalingFactor.ts';

const sims = suite('simulations');

/** A regime map small enough for a test: 4 × 3 cells of 600 steps. */
const SMALL_MAP = { mapColumns: 4, mapRows: 3, mapSteps: 600 };
/** Two costs, 20 seeds, 800 steps: NS drops within about 100 steps, MM never. */
const SMALL_TWO_MODE = { costs: ['ns', 'mm', 'hinge'], seeds: 20, steps: 800 };
const SMALL_BATCH = { batchSizes: [4, 32], spreads: [0, 2], trials: 20 };

sims('adam-vanishing: step decay rate equals a − ½ ln β2', () => {
  const result = adamVanishingSimulation.run({ ...SMALL_MAP });
  const evidence = adamVanishingEvidence(result);

  assert.is(result.regime, 'vanishing');
  assert.ok(
    Math.abs(result.measuredDecayRate - (-0.001 - 0.5 * Math.log(0.999))) < 1e-5,
    `measured ${result.measuredDecayRate}`,
  );
  assert.is(result.predictedDecayRate, -0.001 - 0.5 * Math.log(0.999));
  assert.ok(evidence.held, evidence.statement);
});

sims('adam-vanishing: another vanishing setting, and a constant one that is not', () => {
  // ln 0.9 ≈ −0.105 < a = −0.004 < ½ ln 0.999 ≈ −0.0005. The bias correction √(1 − β2^t)
  // still tilts the log-step by ½·β2^t·|ln β2|/(1 − β2^t) ≈ 6e−5 per step near t = 2000,
  // so this run fits steps 4001–8000, where the tilt is below 2e−6.
  const vanishing = adamVanishingSimulation.run({ ...SMALL_MAP, a: -0.004, beta1: 0.9, steps: 8000 });
  assert.ok(Math.abs(vanishing.measuredDecayRate - vanishing.predictedDecayRate) < 1e-5, `measured ${vanishing.measuredDecayRate}`);

  const constant = adamVanishingSimulation.run({ ...SMALL_MAP, a: 0.001, steps: 3000 });
  assert.is(constant.regime, 'constant');
  assert.not.ok(adamVanishingEvidence(constant).held);
});

sims('adam-vanishing: map cells far from a boundary match their regime rate', () => {
  const result = adamVanishingSimulation.run({ mapColumns: 3, mapRows: 2, mapSteps: 3000, mapA: [-0.05, 0.02], mapBeta2: [0.99, 0.999] });
  // a = −0.05 lies far below ln 0.99 (geometric), a = 0.02 far above both (constant).
  for (const row of [0, 1]) {
    for (const column of [0, 2]) {
      const measured = result.map.measuredRate[row][column];
      const predicted = result.map.predictedRate[row][column];
      assert.ok(Math.abs(measured - predicted) < 1e-3, `cell ${row}, ${column}: ${measured} vs ${predicted}`);
    }
  }
});

sims('two-mode: NS drops a mode, MM keeps both, from the same start and seeds', () => {
  const result = twoModeSimulation.run({ ...SMALL_TWO_MODE });
  const fractions = twoModeDropFractions(result);

  assert.is(fractions.ns, 1);
  assert.is(fractions.mm, 0);
  assert.ok(twoModeEvidence(result).held, twoModeEvidence(result).statement);
  for (const cost of result.costs) {
    assert.is(cost.dropTimes.length, SMALL_TWO_MODE.seeds);
    assert.ok(cost.low.every((low, i) => low <= cost.median[i] && cost.median[i] <= cost.high[i]));
  }
});

sims('two-mode: drift direction follows the share slope', () => {
  const result = twoModeSimulation.run({ ...SMALL_TWO_MODE, seeds: 2 });
  for (const cost of result.costs) {
    assert.is(cost.slope, twoModeSlope(cost.cost, [0.5, 0.5]));
    const start = cost.drift[0];
    const end = cost.drift[cost.drift.length - 1];
    // Above 1 the smaller mode shrinks, below 1 it recovers, and at 1 the drift does not move.
    if (cost.slope > 1) assert.ok(end < start, `${cost.cost}: ${start} → ${end}`);
    else if (cost.slope < 1) assert.ok(end > start, `${cost.cost}: ${start} → ${end}`);
    else assert.ok(Math.abs(end - start) < 1e-12, `${cost.cost}: ${start} → ${end}`);
  }
});

sims('batch-weighting: MM-nsat matches NS exactly for equal D_p and in total weight', () => {
  const result = batchWeightingSimulation.run({ ...SMALL_BATCH });
  const evidence = batchWeightingEvidence(result);
  assert.ok(evidence.held, evidence.statement);
  // The approximation's error is quoted for every batch size at the widest spread, not one cell.
  const widestSpread = Math.max(...result.cells.map((cell) => cell.spread));
  for (const cell of result.cells.filter((candidate) => candidate.spread === widestSpread)) {
    assert.ok(evidence.statement.includes(`${cell.normRatio.median.toPrecision(3)} (N = ${cell.batchSize})`), evidence.statement);
  }

  const weights = Object.fromEntries(result.example.weights.map((w) => [w.cost, w.values]));
  const dps = result.example.dps;
  // The example batch is sorted by D_p: MM's share rises with D_p, NS's falls, hinge is flat.
  for (let i = 1; i < dps.length; i++) {
    assert.ok(weights.mm[i] >= weights.mm[i - 1]);
    assert.ok(weights.ns[i] <= weights.ns[i - 1]);
    assert.ok(Math.abs(weights.hinge[i] - 1 / dps.length) < 1e-15);
    assert.ok(Math.abs(weights['iw-ns'][i] - weights.mm[i]) < 1e-12);
  }
});

sims('scaling-factors: grid values are the closed forms', () => {
  const result = scalingFactorsSimulation.run({ points: 21 });
  assert.ok(scalingFactorsEvidence(result).held);
  const ns = result.factors.find((factor) => factor.cost === 'ns');
  assert.ok(ns !== undefined);
  result.dps.forEach((dp, i) => assert.is(ns.values[i], scalingFactor('ns', dp)));
});

function axisTitles(figure: Figure): string[] {
  if (figure.kind === 'images') return [];
  return [figure.x.title, figure.y.title];
}

sims('every simulation builds a section with titled axes from plain data', () => {
  const small: Record<string, object> = {
    'adam-vanishing': SMALL_MAP,
    'two-mode': { ...SMALL_TWO_MODE, seeds: 3 },
    'batch-weighting': SMALL_BATCH,
    'scaling-factors': {},
  };
  assert.equal(Object.keys(simulationsByName).sort(), Object.keys(small).sort());
  for (const simulation of simulations) {
    const progress: number[] = [];
    const result = simulation.run({ ...simulation.defaults, ...small[simulation.name] }, (fraction) => progress.push(fraction));
    const section = simulation.toSection(result);

    assert.is(section.id, simulation.name);
    assert.ok(section.figures.length > 0, `${simulation.name} has no figures`);
    for (const figure of section.figures) {
      for (const title of axisTitles(figure)) {
        assert.ok(title.length > 3 && !/^(value|iteration|x|y)$/i.test(title), `${simulation.name}: axis title "${title}"`);
      }
    }
    assert.ok(progress.every((fraction) => fraction >= 0 && fraction <= 1));
    // Plain data: a JSON round trip changes nothing.
    assert.equal(JSON.parse(JSON.stringify(result)), result, `${simulation.name} result is not plain data`);
  }
});

sims('partial options override the defaults', () => {
  const result = twoModeSimulation.run({ costs: ['mm'], seeds: 2, steps: 30 });
  assert.is(result.options.batchSize, twoModeSimulation.defaults.batchSize);
  assert.is(result.options.steps, 30);
  assert.throws(() => twoModeSimulation.run({ costs: ['nope'] }), /unknown cost "nope"/);
  assert.throws(() => adamVanishingSimulation.run({ beta2: 1 }), /beta2/);
});

sims.run();

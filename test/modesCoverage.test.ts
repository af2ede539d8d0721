/**
 * Coverage changes over evaluations (mode losses and hops) and the C12 verdict rules that
 * the ring and spiral experiments compute from them.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { coverageChanges, coveredModes } from '../src/metrics/modes.ts';
import { ringVerdict, spiralVerdict, type VariantOutcome } from '../experiments/ring/verdict.ts';

const T = true;
const F = false;

test('covered modes need a share of the weight', () => {
  assert.equal(coveredModes([0.3, 0.02, 0.1], [0.5, 0.25, 0.25], 0.25), [true, false, true]);
  assert.throws(() => coveredModes([0.5], [0.5, 0.5], 0.25), /one frequency per mode \(2\), received 1/);
});

test('steady coverage has no losses or hops', () => {
  const covered = [[F, F, F], [T, F, F], [T, T, F], [T, T, T], [T, T, T]];
  assert.equal(coverageChanges(covered), { losses: 0, gains: 3, hops: 0 });
});

test('hopping generator loses and gains together', () => {
  // One mode at a time, moving 0 → 2 → 1 → 1: two hops, each losing and gaining one mode.
  const covered = [[T, F, F], [F, F, T], [F, T, F], [F, T, F]];
  assert.equal(coverageChanges(covered), { losses: 2, gains: 2, hops: 2 });
});

test('dropping modes counts losses without hops', () => {
  const covered = [[T, T, T, T], [T, T, F, F], [T, F, F, F]];
  assert.equal(coverageChanges(covered), { losses: 3, gains: 0, hops: 0 });
  assert.equal(coverageChanges([]), { losses: 0, gains: 0, hops: 0 });
  assert.throws(() => coverageChanges([[T], [T, F]]), /evaluation 1 has 2 modes, evaluation 0 has 1/);
});

function outcome(label: string, covered: number[], losses: number[], divergence: number[] = covered.map(() => 0.1)): VariantOutcome {
  return {
    label,
    finalModesCovered: covered,
    losses,
    hops: losses.map(() => 0),
    finalModeDivergence: divergence,
    complete: covered.length,
    runs: covered.length,
  };
}

test('ring verdict needs MM on every mode', () => {
  const mm = outcome('MM', [8, 8, 7], [0, 1, 0]);
  assert.is(ringVerdict(outcome('NS', [2, 1, 3], [0, 0, 0]), mm, 8, []).verdict, 'held', 'NS covers fewer');
  assert.is(ringVerdict(outcome('NS', [8, 8, 8], [4, 6, 2]), mm, 8, []).verdict, 'held', 'NS hops');
  assert.is(ringVerdict(outcome('NS', [8, 8, 8], [0, 0, 0]), mm, 8, []).verdict, 'not held', 'NS as good as MM');
  const mmShort = outcome('MM', [7, 6, 8], [0, 0, 0]);
  assert.is(ringVerdict(outcome('NS', [1, 1, 1], [5, 5, 5]), mmShort, 8, []).verdict, 'not held', 'MM misses a mode');
  const evidence = ringVerdict(outcome('NS', [2, 1, 3], [0, 0, 0]), mm, 8, ['ring/quick/x']);
  assert.match(evidence.evidence, /MM covered a median of 8 modes \(8, 8, 7 over 3 seeds\), NS 2/);
  assert.equal(evidence.sources, ['ring/quick/x']);
  assert.is(evidence.id, 'C12');
});

test('ring verdict is not run on short runs', () => {
  const mm = outcome('MM', [8, 8, 8], [0, 0, 0]);
  const result = ringVerdict(outcome('NS', [2, 1, 3], [0, 0, 0]), mm, 8, [], 4000);

  assert.is(result.verdict, 'not run');
  assert.match(result.evidence, /train 4000 steps and the rule needs at least 20000/);
  assert.match(result.evidence, /Measured anyway: Ring of 8: at the end MM covered a median of 8 modes/);
  assert.is(ringVerdict(outcome('NS', [2, 1, 3], [0, 0, 0]), mm, 8, [], 20000).verdict, 'held');
});

test('ring verdict is not run without finished runs', () => {
  const unfinished = { ...outcome('MM', [8, 8], [0, 0]), complete: 1 };
  const result = ringVerdict(outcome('NS', [1, 1], [0, 0]), unfinished, 8, []);
  assert.is(result.verdict, 'not run');
  assert.match(result.evidence, /MM finished 1 of 2 runs/);
});

test('spiral verdict compares mode-frequency divergence', () => {
  const mm = outcome('MM', [12, 11, 12], [0, 0, 0], [0.02, 0.05, 0.03]);
  assert.is(spiralVerdict(outcome('NS', [9, 10, 8], [0, 0, 0], [0.2, 0.15, 0.3]), mm, 12, []).verdict, 'held');
  assert.is(spiralVerdict(outcome('NS', [12, 12, 12], [0, 0, 0], [0.01, 0.01, 0.02]), mm, 12, []).verdict, 'not held');
  const mmFewer = outcome('MM', [11, 10, 12], [0, 0, 0], [0.02, 0.05, 0.03]);
  assert.is(spiralVerdict(outcome('NS', [12, 12, 12], [0, 0, 0], [0.2, 0.2, 0.2]), mmFewer, 12, []).verdict, 'not held', 'MM covers fewer');
});

test.run();

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  cifarCollapseVerdict,
  COLLAPSE_FACTOR,
  highResolutionVerdict,
  MIN_EVALUATIONS,
  runCollapse,
  type CollapseRun,
  type RunsByVariant,
} from '../experiments/image-datasets/collapse.ts';

/** Builds a run whose FID falls from 100 to `best` and then follows `tail` to its last evaluation. */
function run(best: number, tail: number[], diverged = false): CollapseRun {
  const values = [100, 80, 60, 40, best, best, ...tail];
  return { rows: values.map((fid, i) => ({ step: (i + 1) * 10, fid })), diverged };
}

const STABLE = [30, 29, 31, 30];
const COLLAPSING = [40, 60, 90, 120];
const context = { trainedEpochs: 200, minEpochs: 200, sources: ['runs'] };

function variants(entries: Record<string, CollapseRun[]>): RunsByVariant {
  return new Map(Object.entries(entries));
}

test('run collapse: late over best', () => {
  const measured = runCollapse(run(30, COLLAPSING), 'fid')!;
  assert.is(measured.best, 30);
  // Ten evaluations: the late window is the last round(10/4) = 3, median 90.
  assert.is(measured.late, 90);
  assert.is(measured.ratio, 3);
  assert.is(runCollapse({ rows: [{ step: 1, fid: 5 }], diverged: false }, 'fid'), undefined, `fewer than ${MIN_EVALUATIONS} evaluations`);
  assert.is(runCollapse(run(30, STABLE, true), 'fid')!.ratio, Number.POSITIVE_INFINITY, 'a diverged run has collapsed');
});

test('C18 held, not held, not run', () => {
  const held = new Map([
    ['conv-4', variants({ NS: [run(30, COLLAPSING), run(32, COLLAPSING)], 'MM-nsat': [run(28, STABLE), run(29, STABLE)] })],
    ['conv-4-sn', variants({ NS: [run(30, STABLE)], 'MM-nsat': [run(29, STABLE)] })],
  ]);
  assert.is(cifarCollapseVerdict(held, context).verdict, 'held');

  const bothCollapse = new Map([...held, ['conv-4', variants({ NS: [run(30, COLLAPSING)], 'MM-nsat': [run(28, COLLAPSING)] })]]);
  assert.is(cifarCollapseVerdict(bothCollapse, context).verdict, 'not held');

  const apartWithSn = new Map([...held, ['conv-4-sn', variants({ NS: [run(30, [60, 60, 61, 60])], 'MM-nsat': [run(29, STABLE)] })]]);
  assert.is(cifarCollapseVerdict(apartWithSn, context).verdict, 'not held', 'Conv-4-sn late FIDs 2× apart');

  const short = cifarCollapseVerdict(held, { ...context, trainedEpochs: 3 });
  assert.is(short.verdict, 'not run');
  assert.match(short.evidence, /3\.00 epochs; the rule needs at least 200/);

  const noFid = cifarCollapseVerdict(held, { ...context, fidNotRun: 'FID not run: no --inception folder was given.' });
  assert.is(noFid.verdict, 'not run');
  assert.match(noFid.evidence, /--inception/);

  const missing = cifarCollapseVerdict(new Map([['conv-4', held.get('conv-4')!]]), context);
  assert.is(missing.verdict, 'not run', 'Conv-4-sn runs missing');
});

test('C19 holds for a majority of cases', () => {
  const holds = variants({ NS: [run(30, COLLAPSING)], 'MM-nsat': [run(28, STABLE)] });
  const fails = variants({ NS: [run(30, STABLE)], 'MM-nsat': [run(28, STABLE)] });
  const tooShort = variants({ NS: [{ rows: [{ step: 1, fid: 50 }], diverged: false }], 'MM-nsat': [run(28, STABLE)] });

  const majority = highResolutionVerdict('FFHQ', new Map([['32²', holds], ['64²', holds], ['128²', fails], ['256²', tooShort]]), context);
  assert.is(majority.verdict, 'held');
  assert.match(majority.evidence, /Holds for 2 of 3/);
  assert.match(majority.evidence, /Not decided .*256²/);

  const minority = highResolutionVerdict('FFHQ', new Map([['32²', holds], ['64²', fails]]), context);
  assert.is(minority.verdict, 'not held', 'a tie is not a majority');

  const nsatWorse = variants({ NS: [run(10, [16, 16, 16, 16])], 'MM-nsat': [run(28, STABLE)] });
  assert.ok(16 / 10 > COLLAPSE_FACTOR);
  assert.is(highResolutionVerdict('CAT 128²', new Map([['dcgan-bn-sn', nsatWorse]]), context).verdict, 'not held', 'MM-nsat ends above NS');

  const undecided = highResolutionVerdict('CAT 128²', new Map([['dcgan-bn-sn', tooShort]]), context);
  assert.is(undecided.verdict, 'not run');
  assert.match(undecided.evidence, /^CAT 128²: no network or resolution/);

  const noFid = highResolutionVerdict('CAT 128²', new Map([['dcgan-bn-sn', holds]]), { ...context, fidNotRun: 'FID not run: x' });
  assert.is(noFid.verdict, 'not run');
  assert.match(noFid.evidence, /^CAT 128²: FID not run/);
});

test.run();

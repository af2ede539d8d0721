import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { selectBackend } from '../src/backend.ts';
import { INCEPTION_FID_NAME } from '../src/metrics/inceptionFid.ts';
import type { LineFigure } from '../src/figures.ts';
import { CIFAR10_DEFINITION, cifar10Collapse } from '../experiments/cifar10/index.ts';
import { CIFAR10_CLASSIFIER_FRECHET_NAME } from '../experiments/image-datasets/classMetrics.ts';
import { createImageExperiment, type ImageScaleSettings } from '../experiments/image-datasets/imageExperiment.ts';
import { STAND_IN_FEATURES, writeCifarBatches, writeStandInInception } from './imageExperimentsFixtures.ts';

const directory = mkdtempSync(path.join(tmpdir(), 'cifar10-experiment-'));

/**
 * A test-only scale: Conv-4 and Conv-4-sn at m = 2, NS and MM-nsat, 4 steps, FID on 8
 * samples. The random fixture images cannot be learned, so the classifier of width 2 trains
 * one epoch with no accuracy required: enough to label.
 */
const TINY: ImageScaleSettings = {
  networks: [
    { preset: 'conv-4', resolution: 32, width: 2 },
    { preset: 'conv-4-sn', resolution: 32, width: 2 },
  ],
  variants: ['NS', 'MM-nsat'],
  seeds: [1],
  batchSize: 4,
  epochs: 0,
  steps: 4,
  evaluations: 2,
  evaluationSamples: 8,
  referenceSamples: 12,
  storedSamples: 4,
  allowPartialData: true,
  featureDimension: STAND_IN_FEATURES,
  testClassifier: { width: 2, requiredAccuracy: 0, maxEpochs: 1 },
  note: 'Test scale.',
};

const tiny = createImageExperiment({ ...CIFAR10_DEFINITION, scales: { quick: TINY } });

test('no data directory: not run with the fix', async () => {
  const backend = await selectBackend('cpu');
  const result = await cifar10Collapse.run('gpu', { runsDir: path.join(directory, 'unused'), backend, progress: () => {} });
  assert.is(result.claims.length, 1);
  assert.is(result.claims[0].id, 'C18');
  assert.is(result.claims[0].verdict, 'not run');
  assert.ok(result.claims[0].evidence.includes('`gan-dynamics data fetch cifar10 --dir DIR`'), result.claims[0].evidence);
  assert.ok(result.claims[0].evidence.includes('`gan-dynamics report --suite paper-gpu --data DIR`'), result.claims[0].evidence);
  assert.is(result.runs.length, 0);
});

test('incomplete data: not run naming the folder', async () => {
  const backend = await selectBackend('cpu');
  const dataDir = path.join(directory, 'empty-data');
  await writeCifarBatches(path.join(dataDir, 'cifar10'), 3);
  // Full-size batches are expected outside tests, so three-record files are broken.
  const result = await cifar10Collapse.run('gpu', { runsDir: path.join(directory, 'unused'), backend, progress: () => {}, dataDir });
  assert.is(result.claims[0].verdict, 'not run');
  assert.match(result.claims[0].evidence, /cifar10 is incomplete/);
  assert.ok(result.claims[0].evidence.includes(`gan-dynamics data fetch cifar10 --dir ${dataDir}`), result.claims[0].evidence);
});

test('tiny CIFAR-10 runs measure FID on Inception features', async () => {
  const backend = await selectBackend('cpu');
  const dataDir = path.join(directory, 'data');
  const inception = path.join(directory, 'inception');
  await writeCifarBatches(path.join(dataDir, 'cifar10'), 4);
  await writeStandInInception(inception);

  const result = await tiny.run('quick', { runsDir: path.join(directory, 'runs'), backend, progress: () => {}, dataDir, inception });

  assert.is(result.runs.length, 4);
  for (const run of result.runs) {
    assert.is(run.status, 'complete', run.id);
    assert.type(run.metrics.fid, 'number', `${run.id}: ${JSON.stringify(run.metrics)}`);
    assert.ok(run.metrics.fid >= 0, `${run.id}: FID ${run.metrics.fid} ≥ 0`);
  }
  assert.equal(result.sections.map((section) => section.id), ['cifar10-collapse-conv-4', 'cifar10-collapse-conv-4-sn']);
  const figure = result.sections[0].figures[0] as LineFigure;
  assert.is(figure.kind, 'line');
  assert.ok(figure.title.includes(`${INCEPTION_FID_NAME} on 8 samples against 12 real images`), figure.title);
  assert.equal(figure.series.map((series) => series.name), ['NS', 'MM-nsat']);
  assert.equal(figure.series[0].x, [2, 4]);
  assert.ok(result.sections[0].text.some((text) => text.includes(`${inception}/model.json`)), 'the section names the model');
  const grids = result.sections[0].figures.filter((entry) => entry.kind === 'images');
  assert.is(grids.length, 2);
  assert.is(result.claims[0].verdict, 'not run');
  assert.match(result.claims[0].evidence, /The runs train 0\.\d+ epochs; the rule needs at least 200/);
});

test('tiny CIFAR-10 runs record the class metrics', async () => {
  const backend = await selectBackend('cpu');
  const dataDir = path.join(directory, 'data');
  const inception = path.join(directory, 'inception');
  // Reuses the runs of the test above, so only reading them back happens here.
  const result = await tiny.run('quick', { runsDir: path.join(directory, 'runs'), backend, progress: () => {}, dataDir, inception });

  for (const run of result.runs) {
    assert.type(run.metrics.classDivergence, 'number', `${run.id}: ${JSON.stringify(run.metrics)}`);
    assert.ok(run.metrics.classDivergence >= 0, `${run.id}: D_JS^CD ${run.metrics.classDivergence} ≥ 0`);
    assert.ok(run.metrics.classDivergence <= 1, `${run.id}: D_JS^CD ${run.metrics.classDivergence} ≤ 1 bit`);
    assert.type(run.metrics.frechetDistance, 'number', run.id);
    assert.ok(run.metrics.frechetDistance >= 0, `${run.id}: Fréchet distance ${run.metrics.frechetDistance} ≥ 0`);
  }
  const figures = result.sections[0].figures.filter((entry): entry is LineFigure => entry.kind === 'line');
  assert.equal(figures.map((figure) => figure.y.title), [INCEPTION_FID_NAME, 'D_JS^CD (bits)', CIFAR10_CLASSIFIER_FRECHET_NAME]);
  assert.equal(figures[1].series.map((series) => series.name), ['NS', 'MM-nsat']);
  assert.equal(figures[1].series[0].x, [2, 4]);
  const table = result.sections[0].tables[1];
  assert.ok(table.title.includes(CIFAR10_CLASSIFIER_FRECHET_NAME), table.title);
  assert.equal(table.rows.map((row) => row[0]), ['NS', 'MM-nsat']);
  assert.ok(table.rows.every((row) => row[2] !== '–' && row[3] !== '–'), JSON.stringify(table.rows));
  assert.ok(result.sections[0].text.some((text) => /CIFAR-10 classifier \(test accuracy \d+\.\d % on the test split\)/.test(text)), 'the section states the accuracy');
});

test('without Inception the runs train and FID reads not run', async () => {
  const backend = await selectBackend('cpu');
  const dataDir = path.join(directory, 'data');
  const result = await tiny.run('quick', { runsDir: path.join(directory, 'runs-no-fid'), backend, progress: () => {}, dataDir });

  assert.is(result.runs.length, 4);
  assert.ok(result.runs.every((run) => run.status === 'complete' && run.metrics.fid === undefined));
  assert.ok(result.runs.every((run) => typeof run.metrics.classDivergence === 'number' && typeof run.metrics.frechetDistance === 'number'), 'class metrics without Inception');
  assert.is(result.claims[0].verdict, 'not run');
  assert.match(result.claims[0].evidence, /^FID not run: no --inception folder was given/);
  for (const section of result.sections) {
    const titles = section.figures.flatMap((figure) => (figure.kind === 'line' ? [figure.y.title] : []));
    assert.equal(titles, ['D_JS^CD (bits)', CIFAR10_CLASSIFIER_FRECHET_NAME], 'no FID figure, both class-metric figures');
  }
});

test.after(() => rmSync(directory, { recursive: true, force: true }));

test.run();

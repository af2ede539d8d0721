import { mkdtempSync, rmSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { selectBackend } from '../src/backend.ts';
import type { LineFigure } from '../src/figures.ts';
import { INCEPTION_FID_NAME } from '../src/metrics/inceptionFid.ts';
import { catCollapse } from '../experiments/cat/index.ts';
import { FFHQ_DEFINITION } from '../experiments/ffhq/index.ts';
import { createImageExperiment } from '../experiments/image-datasets/imageExperiment.ts';
import { STAND_IN_FEATURES, writeImageFolder, writeStandInInception } from './imageExperimentsFixtures.ts';

const directory = mkdtempSync(path.join(tmpdir(), 'image-experiments-'));

/** FFHQ at a test-only scale: the FFHQ conv net at 32² with m = 1, 4 steps, FID on 8 samples. */
const tinyFfhq = createImageExperiment({
  ...FFHQ_DEFINITION,
  scales: {
    quick: {
      networks: [{ preset: 'conv-ffhq', resolution: 32, width: 1 }],
      variants: ['NS', 'MM-nsat'],
      seeds: [1],
      batchSize: 4,
      epochs: 0,
      steps: 4,
      evaluations: 2,
      evaluationSamples: 8,
      referenceSamples: 6,
      storedSamples: 4,
      allowPartialData: true,
      featureDimension: STAND_IN_FEATURES,
      note: 'Test scale.',
    },
  },
});

test('CAT without data: not run with the fix', async () => {
  const backend = await selectBackend('cpu');
  const dataDir = path.join(directory, 'no-cat');
  await writeImageFolder(path.join(dataDir, 'ffhq'), 1);
  const result = await catCollapse.run('gpu', { runsDir: path.join(directory, 'unused'), backend, progress: () => {}, dataDir });
  assert.is(result.claims[0].id, 'C19');
  assert.is(result.claims[0].verdict, 'not run');
  assert.ok(result.claims[0].evidence.includes(`${dataDir}/cat does not exist`), result.claims[0].evidence);
  assert.ok(result.claims[0].evidence.includes(`gan-dynamics data fetch cat --dir ${dataDir}`), result.claims[0].evidence);
  assert.is(result.runs.length, 0);
});

test('tiny FFHQ runs from PNG and JPEG files', async () => {
  const backend = await selectBackend('cpu');
  const dataDir = path.join(directory, 'data');
  const inception = path.join(directory, 'inception');
  await writeImageFolder(path.join(dataDir, 'ffhq'), 6);
  await writeStandInInception(inception);

  const result = await tinyFfhq.run('quick', { runsDir: path.join(directory, 'runs'), backend, progress: () => {}, dataDir, inception });

  const prepared = await readdir(path.join(directory, '.cache'));
  assert.ok(prepared.includes('ffhq-32.u8'), `prepared images: ${prepared.join(', ')}`);
  assert.ok(prepared.includes('ffhq-32-inception-reference.json'), `cached FID reference: ${prepared.join(', ')}`);
  assert.is(result.runs.length, 2);
  for (const run of result.runs) {
    assert.is(run.status, 'complete', run.id);
    assert.type(run.metrics.fid, 'number', `${run.id}: ${JSON.stringify(run.metrics)}`);
  }
  assert.equal(result.sections.map((section) => section.id), ['ffhq-collapse-32²']);
  const figure = result.sections[0].figures[0] as LineFigure;
  assert.ok(figure.title.includes(`${INCEPTION_FID_NAME} on 8 samples against 6 real images`), figure.title);
  assert.is(result.claims[0].verdict, 'not run');
  assert.match(result.claims[0].evidence, /^FFHQ: The runs train \d+\.\d+ epochs; the rule needs at least 20/);
});

test.after(() => rmSync(directory, { recursive: true, force: true }));

test.run();

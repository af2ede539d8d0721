import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { featuresInBatches, inceptionNotRunReason, loadInception } from '../src/metrics/inception.ts';

/** Weight w of the stand-in model: features = mean over pixels of the RGB input, times w [3, 4]. */
const W = [
  [1, 0, 2, -1],
  [0, 1, 1, 3],
  [-2, 1, 0, 1],
];
/** float32 means of 299² equal values: exact to about 1e-6 relative. */
const TOLERANCE = 1e-4;

function dims(sizes: number[]): { dim: { size: string }[] } {
  return { dim: sizes.map((size) => ({ size: String(size) })) };
}

/**
 * Writes a TensorFlow.js graph model in `dir`: Placeholder images [−1, 299, 299, 3] →
 * Mean over axes [1, 2] → MatMul with w, as the converter lays it out, with the weights
 * split over two shards.
 */
async function writeStandInModel(dir: string, metadata?: object): Promise<void> {
  const node = [
    { name: 'images', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: dims([-1, 299, 299, 3]) } } },
    {
      name: 'axes',
      op: 'Const',
      attr: { value: { tensor: { dtype: 'DT_INT32', tensorShape: dims([2]) } }, dtype: { type: 'DT_INT32' } },
    },
    {
      name: 'pooled',
      op: 'Mean',
      input: ['images', 'axes'],
      attr: { Tidx: { type: 'DT_INT32' }, keep_dims: { b: false }, T: { type: 'DT_FLOAT' } },
    },
    {
      name: 'w',
      op: 'Const',
      attr: { value: { tensor: { dtype: 'DT_FLOAT', tensorShape: dims([3, 4]) } }, dtype: { type: 'DT_FLOAT' } },
    },
    {
      name: 'features',
      op: 'MatMul',
      input: ['pooled', 'w'],
      attr: { transpose_a: { b: false }, transpose_b: { b: false }, T: { type: 'DT_FLOAT' } },
    },
  ];
  const model = {
    format: 'graph-model',
    generatedBy: 'test',
    convertedBy: 'hand',
    modelTopology: { node, library: {}, versions: { producer: 1 } },
    weightsManifest: [
      {
        paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'],
        weights: [
          { name: 'axes', shape: [2], dtype: 'int32' },
          { name: 'w', shape: [3, 4], dtype: 'float32' },
        ],
      },
    ],
    ...(metadata ? { userDefinedMetadata: metadata } : {}),
  };
  const bytes = Buffer.concat([Buffer.from(new Int32Array([1, 2]).buffer), Buffer.from(new Float32Array(W.flat()).buffer)]);
  await writeFile(path.join(dir, 'model.json'), JSON.stringify(model));
  await writeFile(path.join(dir, 'group1-shard1of2.bin'), bytes.subarray(0, 20));
  await writeFile(path.join(dir, 'group1-shard2of2.bin'), bytes.subarray(20));
}

/** Builds images [n, 8, 8, 3] of one colour each, image i with channel values `colours[i]`. */
function constantImages(colours: number[][]): tf.Tensor4D {
  return tf.tidy(() => tf.stack(colours.map((colour) => tf.ones([8, 8, 3]).mul(tf.tensor1d(colour))))) as tf.Tensor4D;
}

function expectedFeatures(colour: number[], low: number, high: number): number[] {
  const scaled = colour.map((value) => low + ((value + 1) / 2) * (high - low));
  return [0, 1, 2, 3].map((k) => scaled.reduce((sum, value, c) => sum + value * W[c][k], 0));
}

function assertClose(actual: ArrayLike<number>, expected: number[], label: string): void {
  assert.is(actual.length, expected.length, `${label}: length`);
  for (let i = 0; i < expected.length; i++) {
    const error = Math.abs(actual[i] - expected[i]);
    assert.ok(error <= TOLERANCE * Math.max(1, Math.abs(expected[i])), `${label}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

test('stand-in model loads from files', async () => {
  await tf.setBackend('cpu');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'inception-'));
  try {
    await writeStandInModel(dir);
    assert.is(await inceptionNotRunReason(dir), undefined);
    const network = await loadInception(dir, { expectedFeatureDimension: 4 });
    assert.ok(network, 'the model loads');
    assert.is(network!.featureDimension, 4);
    assert.match(network!.name, new RegExp(`InceptionV3 pool features \\(4\\) from ${dir}/model.json`));

    const colours = [
      [0.5, -0.25, 1],
      [-1, 0, 0.75],
    ];
    const images = constantImages(colours);
    const features = network!.features(images);
    assert.equal(features.shape, [2, 4]);
    const values = features.dataSync();
    colours.forEach((colour, i) => assertClose(values.slice(4 * i, 4 * i + 4), expectedFeatures(colour, -1, 1), `image ${i}`));

    const gray = tf.tidy(() => tf.ones([1, 8, 8, 1]).mul(0.5)) as tf.Tensor4D;
    assertClose(network!.features(gray).dataSync(), expectedFeatures([0.5, 0.5, 0.5], -1, 1), 'one-channel image');

    const before = tf.memory().numTensors;
    const batched = await featuresInBatches(network!, images, 1);
    assertClose(batched, Array.from(values), 'features in batches of 1');
    assert.is(tf.memory().numTensors, before, 'the batched pass keeps no tensors');
    tf.dispose([images, features, gray]);
    network!.dispose();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('declared input range rescales images', async () => {
  await tf.setBackend('cpu');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'inception-'));
  try {
    await writeStandInModel(dir, { inputRange: [0, 255] });
    const network = await loadInception(dir, { expectedFeatureDimension: 4 });
    const images = constantImages([[0.5, -0.25, 1]]);
    assertClose(network!.features(images).dataSync(), expectedFeatures([0.5, -0.25, 1], 0, 255), '[0, 255] input');
    tf.dispose(images);
    network!.dispose();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('feature width must match', async () => {
  await tf.setBackend('cpu');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'inception-'));
  try {
    await writeStandInModel(dir);
    const network = await loadInception(dir);
    const images = constantImages([[0, 0, 0]]);
    assert.throws(() => network!.features(images), /expected 2048 pool features per image, the model returned shape \[1, 4\]/);
    tf.dispose(images);
    network!.dispose();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('missing model means FID not run', async () => {
  await tf.setBackend('cpu');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'inception-'));
  try {
    const absent = path.join(dir, 'inception-v3');
    assert.is(await loadInception(absent), undefined);
    assert.match((await inceptionNotRunReason(absent)) ?? '', /^FID not run: the InceptionV3 model folder .*inception-v3 does not exist/);

    assert.is(await loadInception(dir), undefined);
    assert.match((await inceptionNotRunReason(dir)) ?? '', /^FID not run: .*model\.json not found/);

    await writeStandInModel(dir);
    await rm(path.join(dir, 'group1-shard2of2.bin'));
    let message = '';
    try {
      await loadInception(dir, { expectedFeatureDimension: 4 });
    } catch (error) {
      message = (error as Error).message;
    }
    assert.match(message, /weight shard .*group1-shard2of2\.bin of .*model\.json could not be read/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();

/**
 * Small files in the real formats for the CIFAR-10, CAT and FFHQ experiment tests: CIFAR-10
 * binary batches with a few records, a folder of PNG and JPEG photos, and a stand-in for
 * the InceptionV3 graph model whose four "pool features" are linear in the mean colour.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { CIFAR10_RECORD_BYTES, CIFAR10_TEST_FILE, CIFAR10_TRAIN_FILES } from '../src/data/cifar10.ts';
import { seededUniform } from '../src/data/seededUniform.ts';

/** Feature width of the stand-in model. */
export const STAND_IN_FEATURES = 4;

function dims(sizes: number[]): { dim: { size: string }[] } {
  return { dim: sizes.map((size) => ({ size: String(size) })) };
}

/** Writes a tfjs graph model: images [−1, 299, 299, 3] → mean over pixels → MatMul with a 3×4 weight. */
export async function writeStandInInception(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const node = [
    { name: 'images', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: dims([-1, 299, 299, 3]) } } },
    { name: 'axes', op: 'Const', attr: { value: { tensor: { dtype: 'DT_INT32', tensorShape: dims([2]) } }, dtype: { type: 'DT_INT32' } } },
    { name: 'pooled', op: 'Mean', input: ['images', 'axes'], attr: { Tidx: { type: 'DT_INT32' }, keep_dims: { b: false }, T: { type: 'DT_FLOAT' } } },
    { name: 'w', op: 'Const', attr: { value: { tensor: { dtype: 'DT_FLOAT', tensorShape: dims([3, 4]) } }, dtype: { type: 'DT_FLOAT' } } },
    { name: 'features', op: 'MatMul', input: ['pooled', 'w'], attr: { transpose_a: { b: false }, transpose_b: { b: false }, T: { type: 'DT_FLOAT' } } },
  ];
  const model = {
    format: 'graph-model',
    generatedBy: 'test',
    convertedBy: 'hand',
    modelTopology: { node, library: {}, versions: { producer: 1 } },
    weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: [{ name: 'axes', shape: [2], dtype: 'int32' }, { name: 'w', shape: [3, 4], dtype: 'float32' }] }],
  };
  const weights = [1, 0, 2, -1, 0, 1, 1, 3, -2, 1, 0, 1];
  await writeFile(path.join(dir, 'model.json'), JSON.stringify(model));
  await writeFile(
    path.join(dir, 'group1-shard1of1.bin'),
    Buffer.concat([Buffer.from(new Int32Array([1, 2]).buffer), Buffer.from(new Float32Array(weights).buffer)]),
  );
}

/** Writes the six CIFAR-10 batch files with `records` random records each. */
export async function writeCifarBatches(dir: string, records: number, seed = 1): Promise<void> {
  await mkdir(dir, { recursive: true });
  const random = seededUniform(seed);
  for (const name of [...CIFAR10_TRAIN_FILES, CIFAR10_TEST_FILE]) {
    const bytes = new Uint8Array(records * CIFAR10_RECORD_BYTES);
    for (let r = 0; r < records; r++) {
      bytes[r * CIFAR10_RECORD_BYTES] = r % 10;
      for (let i = 1; i < CIFAR10_RECORD_BYTES; i++) bytes[r * CIFAR10_RECORD_BYTES + i] = Math.floor(random() * 256);
    }
    await writeFile(path.join(dir, name), bytes);
  }
}

/** Writes `count` photos of width × height, alternating PNG and JPEG, some in a subfolder. */
export async function writeImageFolder(dir: string, count: number, width = 40, height = 36): Promise<void> {
  await mkdir(path.join(dir, 'part2'), { recursive: true });
  const random = seededUniform(count);
  for (let n = 0; n < count; n++) {
    const rgba = Buffer.alloc(width * height * 4);
    for (let i = 0; i < rgba.length; i++) rgba[i] = i % 4 === 3 ? 255 : Math.floor(random() * 256);
    const folder = n % 3 === 2 ? path.join(dir, 'part2') : dir;
    if (n % 2 === 0) {
      const png = new PNG({ width, height });
      rgba.copy(png.data);
      await writeFile(path.join(folder, `image${n}.png`), PNG.sync.write(png));
    } else {
      await writeFile(path.join(folder, `image${n}.jpg`), jpeg.encode({ data: rgba, width, height }, 90).data);
    }
  }
}

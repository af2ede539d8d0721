/**
 * FID (Heusel et al. 2017) of generated images against a real image set: the Fréchet
 * distance between InceptionV3 pool features of both, computed on the tfjs backend.
 * Computing the real side's mean and covariance for 50 000 images costs as much as many
 * evaluations, so they are cached on disk. The cache key is a SHA-256 of the model's
 * model.json, the real set's own hash and the number of real images.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { frechetDistanceOnBackend, frechetReference, StatisticsAccumulator, type FrechetReference } from './backendFrechet.ts';
import type { FeatureStatistics } from './frechet.ts';
import { INCEPTION_MODEL_FILE, loadInception, type FeatureNetwork } from './inception.ts';

/** The name every figure and table gives this distance. */
export const INCEPTION_FID_NAME = 'FID (InceptionV3 pool features)';
/** Images per InceptionV3 pass, so that the 299×299 copies stay small. */
const FEATURE_BATCH = 50;

export interface InceptionFidOptions {
  /** Folder of the InceptionV3 graph model. */
  modelDir: string;
  /** Folder of the cached real statistics. */
  cacheDir: string;
  /** Name of the real set in cache file names, e.g. "cifar10-32". */
  name: string;
  /** Hash of the real images, so that changed data invalidates the cache. */
  sourceHash: string;
  /** Real images whose features form the reference. */
  referenceCount: number;
  /** Draws real images [size, h, w, c] in [−1, 1] starting at `offset`; the tensor is disposed here. */
  drawReal: (offset: number, size: number) => tf.Tensor4D;
  /** Width of the pool features; 2048 for InceptionV3. Smaller only for stand-in models in tests. */
  expectedFeatureDimension?: number;
  log?: (line: string) => void;
}

export interface InceptionFid {
  /** The feature network's name and source, shown next to every FID. */
  networkName: string;
  referenceCount: number;
  /** FID of `count` images drawn `size` at a time from `draw`; each drawn tensor is disposed here. */
  measure(draw: (size: number) => tf.Tensor4D, count: number): Promise<number>;
  dispose(): void;
}

/** Accumulates the feature statistics of `count` images drawn in passes. */
async function statisticsOf(network: FeatureNetwork, draw: (offset: number, size: number) => tf.Tensor4D, count: number): Promise<FeatureStatistics> {
  const accumulator = new StatisticsAccumulator();
  try {
    for (let offset = 0; offset < count; offset += FEATURE_BATCH) {
      const size = Math.min(FEATURE_BATCH, count - offset);
      const images = draw(offset, size);
      const features = network.features(images);
      images.dispose();
      accumulator.add(features);
      features.dispose();
      // Lets the backend finish the pass before the next one is queued, which bounds memory.
      await tf.nextFrame();
    }
    return await accumulator.finish();
  } finally {
    accumulator.dispose();
  }
}

interface CachedHeader {
  key: string;
  dimension: number;
  count: number;
  network: string;
  createdAt: string;
}

async function readCached(base: string, key: string): Promise<FeatureStatistics | undefined> {
  try {
    const header = JSON.parse(await readFile(`${base}.json`, 'utf8')) as CachedHeader;
    if (header.key !== key) return undefined;
    const bytes = await readFile(`${base}.bin`);
    const values = new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    const d = header.dimension;
    if (values.length !== d + d * d) return undefined;
    return { dimension: d, count: header.count, mean: values.slice(0, d), covariance: values.slice(d) };
  } catch {
    return undefined;
  }
}

async function writeCached(base: string, header: CachedHeader, statistics: FeatureStatistics): Promise<void> {
  await mkdir(path.dirname(base), { recursive: true });
  const values = new Float64Array(statistics.dimension + statistics.covariance.length);
  values.set(statistics.mean, 0);
  values.set(statistics.covariance, statistics.dimension);
  // Temporary names and renames: parallel workers and crashes never leave half a cache.
  const suffix = `${process.pid}.tmp`;
  await writeFile(`${base}.bin.${suffix}`, new Uint8Array(values.buffer));
  await rename(`${base}.bin.${suffix}`, `${base}.bin`);
  await writeFile(`${base}.json.${suffix}`, JSON.stringify(header));
  await rename(`${base}.json.${suffix}`, `${base}.json`);
}

/**
 * Loads InceptionV3 from `modelDir` and the real reference from the cache (computing it
 * when missing or stale). Returns undefined when the model folder or its model.json is
 * missing, so the caller reports FID as not run.
 */
export async function loadInceptionFid(options: InceptionFidOptions): Promise<InceptionFid | undefined> {
  if (!Number.isInteger(options.referenceCount) || options.referenceCount < 2) {
    throw new RangeError(`loadInceptionFid: referenceCount must be an integer ≥ 2, received ${String(options.referenceCount)}`);
  }
  const network = await loadInception(options.modelDir, { expectedFeatureDimension: options.expectedFeatureDimension });
  if (network === undefined) return undefined;
  try {
    const modelJson = await readFile(path.join(options.modelDir, INCEPTION_MODEL_FILE));
    const key = createHash('sha256').update(modelJson).update(`\0${options.sourceHash}\0${options.referenceCount}`).digest('hex');
    const base = path.join(options.cacheDir, `${options.name}-inception-reference`);
    let statistics = await readCached(base, key);
    if (statistics === undefined) {
      options.log?.(`${options.name}: computing InceptionV3 features of ${options.referenceCount} real images for the FID reference`);
      statistics = await statisticsOf(network, options.drawReal, options.referenceCount);
      await writeCached(base, { key, dimension: statistics.dimension, count: statistics.count, network: network.name, createdAt: new Date().toISOString() }, statistics);
    }
    const reference: FrechetReference = frechetReference(statistics);
    return {
      networkName: network.name,
      referenceCount: statistics.count,
      async measure(draw, count) {
        if (!Number.isInteger(count) || count < 2) throw new RangeError(`InceptionFid.measure: count must be an integer ≥ 2, received ${String(count)}`);
        const generated = await statisticsOf(network, (_, size) => draw(size), count);
        return frechetDistanceOnBackend(reference, generated);
      },
      dispose() {
        reference.dispose();
        network.dispose();
      },
    };
  } catch (error) {
    network.dispose();
    throw error;
  }
}

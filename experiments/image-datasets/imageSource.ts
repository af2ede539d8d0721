/**
 * Real images for the CIFAR-10, CAT and FFHQ experiments as one synchronous source of
 * batches in [−1, 1], which is what the trainer's real-batch sampler needs.
 *
 * CIFAR-10 is read whole from its binary batches: 50 000 images of 32×32×3 bytes (150 MB).
 * Image folders (CAT, FFHQ) are decoded once per resolution into a prepared cache file of
 * raw bytes, records of r×r×3 in NHWC order, with a JSON header beside it. Batches are then
 * read from that file by position, so FFHQ at 512² (about 55 GB of bytes) is never in memory.
 * A cache is rebuilt when the header's source hash (file names, sizes and modification
 * times) or its resolution no longer matches.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readCifar10, type CifarDecodeOptions } from '../../src/data/cifar10.ts';
import { listImageFiles, prepareImage, resizeImage } from '../../src/data/images.ts';
import { seededUniform } from '../../src/data/seededUniform.ts';

export const PREPARED_CHANNELS = 3;
/** Changes whenever the cache layout or the preprocessing changes, so old caches go stale. */
const PREPARED_FORMAT = 'nhwc-u8-centre-crop-area-v1';

export interface ImageSource {
  /** Number of images. */
  count: number;
  /** [side, side, channels] of every image. */
  imageShape: [number, number, number];
  /** Class labels, for sources that have them (CIFAR-10). */
  labels?: Uint8Array;
  /** SHA-256 of what the images were read from, for caches derived from them. */
  sourceHash: string;
  /** The images at `indices`, NHWC floats in [−1, 1]. */
  images(indices: ArrayLike<number>): Float32Array;
  /** Closes the files the source keeps open. */
  close(): void;
}

/** Draws `count` indices in [0, n) uniformly with replacement; the same seed gives the same draw. */
export function seededIndices(count: number, n: number, seed: number): Int32Array {
  const random = seededUniform(seed);
  const indices = new Int32Array(count);
  for (let i = 0; i < count; i++) indices[i] = Math.floor(random() * n);
  return indices;
}

/** Opens CIFAR-10's training split (`dir` contains the batch files or cifar-10-batches-bin). */
export async function openCifar10Source(dir: string, options: CifarDecodeOptions = {}): Promise<ImageSource> {
  const data = await readCifar10(dir, 'train', options);
  const hash = createHash('sha256');
  hash.update(data.labels);
  hash.update(data.pixels);
  return {
    count: data.count,
    imageShape: [data.shape[1], data.shape[2], data.shape[3]],
    labels: data.labels,
    sourceHash: hash.digest('hex'),
    images: (indices) => data.images(indices),
    close: () => {},
  };
}

/** Header of a prepared cache, stored as JSON beside the byte file. */
interface PreparedHeader {
  format: string;
  sourceHash: string;
  side: number;
  channels: number;
  count: number;
  files: number;
  createdAt: string;
}

export interface PrepareOptions {
  /** Image side r of the cache. */
  side: number;
  /** Folder of the cache files. */
  cacheDir: string;
  /** Name of the cache files, e.g. "ffhq"; the side is appended. */
  name: string;
  /** Progress lines while images are decoded. */
  log?: (line: string) => void;
}

/** Hashes a folder's image files by relative path, size and modification time. */
async function hashImageFolder(folder: string): Promise<{ hash: string; files: string[] }> {
  const files = await listImageFiles(folder);
  if (files.length === 0) throw new Error(`image folder ${folder} contains no .png, .jpg or .jpeg files; expected the images of the dataset there`);
  const hash = createHash('sha256');
  for (const file of files) {
    const info = await stat(file);
    hash.update(`${path.relative(folder, file)}\0${info.size}\0${info.mtimeMs}\n`);
  }
  return { hash: hash.digest('hex'), files };
}

function cachePaths(options: Pick<PrepareOptions, 'cacheDir' | 'name'>, side: number): { bytes: string; header: string } {
  const base = path.join(options.cacheDir, `${options.name}-${side}`);
  return { bytes: `${base}.u8`, header: `${base}.json` };
}

async function readHeader(file: string): Promise<PreparedHeader | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as PreparedHeader;
  } catch {
    return undefined;
  }
}

function usable(header: PreparedHeader | undefined, sourceHash: string, side: number): header is PreparedHeader {
  return header !== undefined && header.format === PREPARED_FORMAT && header.sourceHash === sourceHash && header.side === side;
}

/** Converts floats in [−1, 1] back to bytes, as they were before scaling. */
function toBytes(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Math.min(255, Math.max(0, Math.round((values[i] + 1) * 127.5)));
  return out;
}

/** Finds a usable cache of the same folder at a larger side that `side` divides, to shrink from. */
async function largerCache(options: PrepareOptions, sourceHash: string): Promise<PreparedHeader | undefined> {
  for (let larger = options.side * 2; larger <= 512; larger *= 2) {
    const header = await readHeader(cachePaths(options, larger).header);
    if (usable(header, sourceHash, larger)) return header;
  }
  return undefined;
}

/**
 * Makes sure a prepared cache of `folder` at `options.side` exists and is current, and
 * returns its byte file. Images are centre-cropped and resized as src/data/images.ts does
 * (area averaging when shrinking). A cache at a larger side is shrunk by area averaging
 * instead of decoding every file again, which for FFHQ saves hours per resolution.
 */
export async function prepareImageFolder(folder: string, options: PrepareOptions): Promise<string> {
  const { hash, files } = await hashImageFolder(folder);
  const paths = cachePaths(options, options.side);
  if (usable(await readHeader(paths.header), hash, options.side)) return paths.bytes;

  await mkdir(options.cacheDir, { recursive: true });
  const log = options.log ?? (() => {});
  const recordBytes = options.side * options.side * PREPARED_CHANNELS;
  // Written under a temporary name and renamed, so a crash never leaves a partial cache.
  const temporary = `${paths.bytes}.${process.pid}.tmp`;
  const output = await open(temporary, 'w');
  const started = performance.now();
  try {
    const larger = await largerCache(options, hash);
    if (larger !== undefined) {
      log(`${options.name}: shrinking the prepared ${larger.side}² images to ${options.side}²`);
      const source = openPreparedSource(cachePaths(options, larger.side).bytes, larger);
      try {
        for (let index = 0; index < larger.count; index++) {
          const image = toBytes(source.images([index]));
          const resized = resizeImage({ width: larger.side, height: larger.side, channels: PREPARED_CHANNELS, data: image }, options.side, options.side);
          await output.write(toBytesFromPixels(resized), 0, recordBytes, index * recordBytes);
        }
      } finally {
        source.close();
      }
    } else {
      log(`${options.name}: decoding ${files.length} images to ${options.side}² (once; later runs read the prepared file)`);
      for (const [index, file] of files.entries()) {
        const image = prepareImage(await readFile(file), file, options.side, PREPARED_CHANNELS);
        await output.write(toBytes(image), 0, recordBytes, index * recordBytes);
        if ((index + 1) % 1000 === 0) log(`${options.name}: ${index + 1} of ${files.length} images, ${((performance.now() - started) / 1000).toFixed(0)} s`);
      }
    }
  } catch (error) {
    await output.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await output.close();
  await rename(temporary, paths.bytes);
  const header: PreparedHeader = {
    format: PREPARED_FORMAT,
    sourceHash: hash,
    side: options.side,
    channels: PREPARED_CHANNELS,
    count: files.length,
    files: files.length,
    createdAt: new Date().toISOString(),
  };
  await writeFile(`${paths.header}.${process.pid}.tmp`, JSON.stringify(header));
  await rename(`${paths.header}.${process.pid}.tmp`, paths.header);
  return paths.bytes;
}

/** Rounds resampled pixel values in 0…255 to bytes. */
function toBytesFromPixels(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Math.min(255, Math.max(0, Math.round(values[i])));
  return out;
}

function openPreparedSource(bytesFile: string, header: PreparedHeader): ImageSource {
  const recordBytes = header.side * header.side * header.channels;
  const descriptor = openSync(bytesFile, 'r');
  const record = new Uint8Array(recordBytes);
  let open = true;
  return {
    count: header.count,
    imageShape: [header.side, header.side, header.channels],
    sourceHash: header.sourceHash,
    images(indices) {
      if (!open) throw new Error(`prepared images ${bytesFile}: the source is closed`);
      const out = new Float32Array(indices.length * recordBytes);
      for (let k = 0; k < indices.length; k++) {
        const index = indices[k];
        if (!Number.isInteger(index) || index < 0 || index >= header.count) {
          throw new RangeError(`prepared images ${bytesFile}: index ${index} is outside 0…${header.count - 1}`);
        }
        const read = readSync(descriptor, record, 0, recordBytes, index * recordBytes);
        if (read !== recordBytes) {
          throw new Error(`prepared images ${bytesFile}: record ${index} is truncated (${read} of ${recordBytes} bytes); delete the file to rebuild it`);
        }
        const offset = k * recordBytes;
        for (let i = 0; i < recordBytes; i++) out[offset + i] = record[i] / 127.5 - 1;
      }
      return out;
    },
    close() {
      if (open) closeSync(descriptor);
      open = false;
    },
  };
}

/** Opens the prepared cache of `folder` at `options.side`, building it first when needed. */
export async function openImageFolderSource(folder: string, options: PrepareOptions): Promise<ImageSource> {
  const bytesFile = await prepareImageFolder(folder, options);
  const header = await readHeader(cachePaths(options, options.side).header);
  if (header === undefined) throw new Error(`prepared images ${bytesFile}: its header could not be read`);
  return openPreparedSource(bytesFile, header);
}

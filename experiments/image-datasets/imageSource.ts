/**
 * Real images for the CIFAR-10, CAT and FFHQ experiments as one synchronous source of
 * batches in [−1, 1], which is what the trainer's real-batch sampler needs.
 *
 * CIFAR-10 is read whole from its binary batches: 50 000 images of 32×32×3 bytes (150 MB).
 * Image folders (CAT, FFHQ) are decoded once per resolution into a prepared cache file of
 * raw bytes, records of r×r×3 in NHWC order, with a JSON header beside it. Batches are then
 * read from that file by position, so FFHQ at 512² (about 55 GB of bytes) is never in memory.
 * A cache is rebuilt when the header's source hash (file names, sizes and modification
 * times, plus the crop and the `.cat` files for the landmark crop), its crop or its
 * resolution no longer matches. Files are decoded on one worker thread per core.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { catLandmarkFile } from '../../src/data/catLandmarks.ts';
import { readCifar10, type CifarDecodeOptions } from '../../src/data/cifar10.ts';
import { DATASETS } from '../../src/data/datasets.ts';
import { listImageFiles, resizeImage } from '../../src/data/images.ts';
import { seededUniform } from '../../src/data/seededUniform.ts';
import { formatDuration } from '../../src/report/format.ts';
import { IMAGE_CROPS, PREPARED_CHANNELS, prepareRecords, toBytes, type ImageCrop, type RecordSettings, type SkipReason } from './preparedRecords.ts';

export { IMAGE_CROPS, PREPARED_CHANNELS, type ImageCrop } from './preparedRecords.ts';
/**
 * Changes whenever the cache layout or the resampling changes, so old caches go stale. The
 * crop is recorded in the header beside it; headers from before it was recorded are 'centre'.
 */
const PREPARED_FORMAT = 'nhwc-u8-centre-crop-area-v1';
/** Seconds between progress lines while images are decoded. */
const PROGRESS_LOG_SECONDS = 30;
/** Skipped images named in the preparation log; the rest are counted. */
const LISTED_SKIPS = 5;

/**
 * The crop each catalogued image-folder dataset is prepared with when the caller names none:
 * CAT photos show whole cats, so their faces are cut out by the landmarks, while FFHQ's
 * images are already aligned faces. The experiments name no crop and get their dataset's.
 */
export const DATASET_CROPS: Readonly<Record<string, ImageCrop>> = {
  [DATASETS.cat.folder]: 'cat-landmarks',
  [DATASETS.ffhq.folder]: 'centre',
};

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
  /** Absent in caches prepared before the crop was recorded, which were all 'centre'. */
  crop?: ImageCrop;
  /** Images in the cache: the image files less the skipped ones. */
  count: number;
  files: number;
  /** Images left out, by reason; absent when none was. */
  skipped?: Partial<Record<SkipReason, number>>;
  createdAt: string;
}

/** Progress of decoding a folder into its cache. */
export interface PrepareProgress {
  /** Image files decoded or skipped so far. */
  done: number;
  total: number;
  elapsedSeconds: number;
  /** Estimated from the mean time per file so far; undefined before the first file. */
  secondsLeft: number | undefined;
}

export interface PrepareOptions {
  /** Image side r of the cache. */
  side: number;
  /** Folder of the cache files. */
  cacheDir: string;
  /** Name of the cache files, e.g. "ffhq"; the side is appended. */
  name: string;
  /** Progress lines while images are decoded, and the count of skipped images. */
  log?: (line: string) => void;
  /** Called after every decoded or skipped file. */
  onProgress?: (progress: PrepareProgress) => void;
  /** The square taken from each photo; DATASET_CROPS[name], else 'centre', when absent. */
  crop?: ImageCrop;
  /** The handling of an unusable `.cat` file under the landmark crop (see RecordSettings); default 'skip'. */
  invalidLandmarks?: 'error' | 'skip';
  /** Worker threads that decode images; one per core (os.availableParallelism()) when absent. */
  workers?: number;
}

/** Returns the crop these options ask for, checked. */
export function preparedCrop(options: Pick<PrepareOptions, 'crop' | 'name'>): ImageCrop {
  const crop = options.crop ?? DATASET_CROPS[options.name] ?? 'centre';
  if (!IMAGE_CROPS.includes(crop)) {
    throw new RangeError(`prepareImageFolder: crop must be one of ${IMAGE_CROPS.join(', ')}, received ${JSON.stringify(crop)}`);
  }
  return crop;
}

/** Returns the size and modification time of a file as hash input, or a marker when it is missing. */
async function fileStamp(file: string): Promise<string> {
  try {
    const info = await stat(file);
    return `${info.size}\0${info.mtimeMs}`;
  } catch {
    return 'missing';
  }
}

/**
 * Hashes a folder's image files by relative path, size and modification time. The landmark
 * crop adds its name and the `.cat` files, so the hash (which also keys the FID reference)
 * differs between crops. The centre crop hashes as it did before crops existed, so its old
 * caches stay usable.
 */
async function hashImageFolder(folder: string, crop: ImageCrop): Promise<{ hash: string; files: string[] }> {
  const files = await listImageFiles(folder);
  if (files.length === 0) throw new Error(`image folder ${folder} contains no .png, .jpg or .jpeg files; expected the images of the dataset there`);
  const hash = createHash('sha256');
  if (crop !== 'centre') hash.update(`crop ${crop}\n`);
  for (const file of files) {
    const info = await stat(file);
    hash.update(`${path.relative(folder, file)}\0${info.size}\0${info.mtimeMs}\n`);
    if (crop === 'cat-landmarks') hash.update(`${await fileStamp(catLandmarkFile(file))}\n`);
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

function usable(header: PreparedHeader | undefined, sourceHash: string, side: number, crop: ImageCrop): header is PreparedHeader {
  return (
    header !== undefined &&
    header.format === PREPARED_FORMAT &&
    header.sourceHash === sourceHash &&
    header.side === side &&
    (header.crop ?? 'centre') === crop
  );
}

/** Finds a usable cache of the same folder at a larger side that `side` divides, to shrink from. */
async function largerCache(options: PrepareOptions, sourceHash: string, crop: ImageCrop): Promise<PreparedHeader | undefined> {
  for (let larger = options.side * 2; larger <= 512; larger *= 2) {
    const header = await readHeader(cachePaths(options, larger).header);
    if (usable(header, sourceHash, larger, crop)) return header;
  }
  return undefined;
}

type OpenFile = Awaited<ReturnType<typeof open>>;

/** The outcome of decoding a folder: the records kept and the files skipped, by reason. */
interface DecodedFolder {
  count: number;
  skipped: Partial<Record<SkipReason, number>>;
}

/** Decodes `files` into consecutive records of `output`, logging progress and the skipped files. */
async function decodeFolder(files: string[], options: PrepareOptions, settings: RecordSettings, output: OpenFile): Promise<DecodedFolder> {
  const log = options.log ?? (() => {});
  const recordBytes = options.side * options.side * PREPARED_CHANNELS;
  const workers = options.workers ?? os.availableParallelism();
  log(
    `${options.name}: decoding ${files.length} images to ${options.side}² with the ${settings.crop} crop on ${Math.min(workers, files.length)} thread(s) ` +
      '(once; later runs read the prepared file)',
  );
  const started = performance.now();
  let lastLog = started;
  let count = 0;
  const skipped: Partial<Record<SkipReason, number>> = {};
  const skipMessages: string[] = [];

  await prepareRecords(files, settings, {
    workers,
    async onOutcome(index, outcome) {
      if (outcome.kind === 'image') {
        await output.write(outcome.bytes, 0, recordBytes, count * recordBytes);
        count++;
      } else {
        skipped[outcome.reason] = (skipped[outcome.reason] ?? 0) + 1;
        if (skipMessages.length < LISTED_SKIPS) skipMessages.push(outcome.message);
      }
      const done = index + 1;
      const now = performance.now();
      const elapsedSeconds = (now - started) / 1000;
      const secondsLeft = (elapsedSeconds / done) * (files.length - done);
      options.onProgress?.({ done, total: files.length, elapsedSeconds, secondsLeft });
      if ((now - lastLog) / 1000 >= PROGRESS_LOG_SECONDS && done < files.length) {
        lastLog = now;
        log(`${options.name}: ${done} of ${files.length} images, ${formatDuration(elapsedSeconds)} so far, about ${formatDuration(secondsLeft)} left`);
      }
    },
  });

  log(`${options.name}: decoded ${files.length} images in ${formatDuration((performance.now() - started) / 1000)}, ${count} kept`);
  const skippedTotal = files.length - count;
  if (skippedTotal > 0) {
    const reasons = Object.entries(skipped).map(([reason, n]) => `${n} ${reason === 'missing-landmarks' ? 'without a .cat landmark file' : 'with an unusable .cat landmark file'}`);
    const more = skippedTotal > skipMessages.length ? `; ${skippedTotal - skipMessages.length} more` : '';
    log(`${options.name}: skipped ${skippedTotal} of ${files.length} images (${reasons.join(', ')}): ${skipMessages.join('; ')}${more}`);
  }
  if (count === 0) {
    throw new Error(`image folder ${options.name}: all ${files.length} images were skipped, so there is nothing to train on; see the skip reasons above`);
  }
  return { count, skipped };
}

/**
 * Makes sure a prepared cache of `folder` at `options.side` exists and is current, and
 * returns its byte file. Images are cropped by `options.crop` and resized as
 * src/data/images.ts does (area averaging when shrinking). A cache at a larger side with
 * the same crop is shrunk by area averaging instead of decoding every file again, which for
 * FFHQ saves hours per resolution.
 */
export async function prepareImageFolder(folder: string, options: PrepareOptions): Promise<string> {
  const crop = preparedCrop(options);
  const settings: RecordSettings = { side: options.side, crop, invalidLandmarks: options.invalidLandmarks ?? 'skip' };
  const { hash, files } = await hashImageFolder(folder, crop);
  const paths = cachePaths(options, options.side);
  if (usable(await readHeader(paths.header), hash, options.side, crop)) return paths.bytes;

  await mkdir(options.cacheDir, { recursive: true });
  const log = options.log ?? (() => {});
  const recordBytes = options.side * options.side * PREPARED_CHANNELS;
  // Written under a temporary name and renamed, so a crash never leaves a partial cache.
  const temporary = `${paths.bytes}.${process.pid}.tmp`;
  const output = await open(temporary, 'w');
  let decoded: DecodedFolder;
  try {
    const larger = await largerCache(options, hash, crop);
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
      decoded = { count: larger.count, skipped: larger.skipped ?? {} };
    } else {
      decoded = await decodeFolder(files, options, settings, output);
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
    crop,
    count: decoded.count,
    files: files.length,
    ...(Object.keys(decoded.skipped).length > 0 ? { skipped: decoded.skipped } : {}),
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

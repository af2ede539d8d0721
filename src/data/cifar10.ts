/**
 * CIFAR-10 in its binary distribution (cifar-10-binary.tar.gz, Krizhevsky 2009): five
 * training batches `data_batch_1.bin` … `data_batch_5.bin` and one `test_batch.bin`, each
 * 10 000 records of 3073 bytes. A record is 1 label byte (0–9) followed by 3072 pixel bytes
 * stored channel-major: the 1024-byte R plane, then G, then B, each plane 32×32 row-major.
 *
 * Pixels are kept as bytes in [N, 32, 32, 3] (NHWC) order, 150 MB for the training split
 * instead of 600 MB as float32, and scaled to [−1, 1] per batch by `images`, because G ends
 * in tanh.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

export const CIFAR10_IMAGE_SIZE = 32;
export const CIFAR10_CHANNELS = 3;
export const CIFAR10_CLASSES = 10;
/** Bytes of one channel plane: 32 × 32. */
const PLANE_BYTES = CIFAR10_IMAGE_SIZE * CIFAR10_IMAGE_SIZE;
/** Bytes of one image: 3 planes of 1024. */
export const CIFAR10_PIXEL_BYTES = PLANE_BYTES * CIFAR10_CHANNELS;
/** Bytes of one record: 1 label byte + 3072 pixel bytes. */
export const CIFAR10_RECORD_BYTES = 1 + CIFAR10_PIXEL_BYTES;
export const CIFAR10_RECORDS_PER_BATCH = 10_000;
/** Size of every batch file in the official archive: 10 000 × 3073 = 30 730 000 bytes. */
export const CIFAR10_BATCH_FILE_BYTES = CIFAR10_RECORDS_PER_BATCH * CIFAR10_RECORD_BYTES;
/** CIFAR-100's binary records carry a coarse and a fine label byte. */
const CIFAR100_RECORD_BYTES = 2 + CIFAR10_PIXEL_BYTES;

export const CIFAR10_TRAIN_FILES = [
  'data_batch_1.bin',
  'data_batch_2.bin',
  'data_batch_3.bin',
  'data_batch_4.bin',
  'data_batch_5.bin',
] as const;
export const CIFAR10_TEST_FILE = 'test_batch.bin';

export const CIFAR10_CLASS_NAMES = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
] as const;

export type Cifar10Split = 'train' | 'test';

export interface CifarDecodeOptions {
  /**
   * Accepts batch files shorter than 30 730 000 bytes (any whole number of records, at
   * most 10 000). Meant for tests and hand-made subsets; a truncated official file is
   * otherwise an error.
   */
  allowShortBatches?: boolean;
}

/** Decoded records: labels and bytes in [N, 32, 32, 3] order. */
export interface CifarRecords {
  count: number;
  labels: Uint8Array;
  /** count × 32 × 32 × 3 bytes, NHWC. */
  pixels: Uint8Array;
}

export interface Cifar10Data extends CifarRecords {
  shape: [number, number, number, number];
  /** The files the records came from, in order. */
  files: string[];
  /** The images at `indices` as [indices.length, 32, 32, 3] floats in [−1, 1]. */
  images(indices: ArrayLike<number>): Float32Array;
}

/**
 * Checks a batch file's length: a multiple of 3073 bytes, exactly 30 730 000 unless short
 * batches are allowed. Returns the record count.
 */
export function cifarRecordCount(byteLength: number, file: string, options: CifarDecodeOptions = {}): number {
  if (byteLength === 0 || byteLength % CIFAR10_RECORD_BYTES !== 0) {
    const hint =
      byteLength > 0 && byteLength % CIFAR100_RECORD_BYTES === 0
        ? ` It is a multiple of ${CIFAR100_RECORD_BYTES}, the record size of CIFAR-100, which this reader does not read.`
        : '';
    throw new RangeError(
      `CIFAR-10 batch ${file}: length ${byteLength} bytes is not a positive multiple of the ` +
        `${CIFAR10_RECORD_BYTES}-byte record (1 label byte + 3072 pixel bytes).${hint}`,
    );
  }
  const count = byteLength / CIFAR10_RECORD_BYTES;
  if (options.allowShortBatches) {
    if (count > CIFAR10_RECORDS_PER_BATCH) {
      throw new RangeError(
        `CIFAR-10 batch ${file}: ${count} records, expected at most ${CIFAR10_RECORDS_PER_BATCH}`,
      );
    }
  } else if (byteLength !== CIFAR10_BATCH_FILE_BYTES) {
    throw new RangeError(
      `CIFAR-10 batch ${file}: length ${byteLength} bytes, expected ${CIFAR10_BATCH_FILE_BYTES} ` +
        `(${CIFAR10_RECORDS_PER_BATCH} records); the file is truncated or not from cifar-10-binary.tar.gz`,
    );
  }
  return count;
}

/**
 * Decodes the records of one batch file and interleaves the planes into NHWC order.
 * Pixel (row, col) of channel c is byte 1 + c·1024 + row·32 + col of its record, so a
 * plain reshape of the 3072 bytes to [32, 32, 3] would mix channels.
 */
export function decodeCifarBatch(bytes: Uint8Array, file: string, options: CifarDecodeOptions = {}): CifarRecords {
  const count = cifarRecordCount(bytes.length, file, options);
  const labels = new Uint8Array(count);
  const pixels = new Uint8Array(count * CIFAR10_PIXEL_BYTES);
  for (let record = 0; record < count; record++) {
    const start = record * CIFAR10_RECORD_BYTES;
    const label = bytes[start];
    if (label >= CIFAR10_CLASSES) {
      throw new RangeError(
        `CIFAR-10 batch ${file}: record ${record} has label ${label}, expected 0–${CIFAR10_CLASSES - 1}`,
      );
    }
    labels[record] = label;
    const out = record * CIFAR10_PIXEL_BYTES;
    for (let i = 0; i < PLANE_BYTES; i++) {
      const target = out + i * CIFAR10_CHANNELS;
      pixels[target] = bytes[start + 1 + i];
      pixels[target + 1] = bytes[start + 1 + PLANE_BYTES + i];
      pixels[target + 2] = bytes[start + 1 + 2 * PLANE_BYTES + i];
    }
  }
  return { count, labels, pixels };
}

/** Maps bytes 0…255 to [−1, 1]: x/127.5 − 1. */
export function scaleBytesToUnitRange(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i] / 127.5 - 1;
  return out;
}

async function readBatchFile(file: string, options: CifarDecodeOptions): Promise<CifarRecords> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new Error(`CIFAR-10 batch ${file} is missing; run \`data fetch cifar10 --dir DIR\` or check the path`);
    }
    throw new Error(`CIFAR-10 batch ${file} could not be read: ${(error as Error).message}`);
  }
  return decodeCifarBatch(bytes, file, options);
}

/**
 * Finds the folder that contains the batch files: `dir` itself, or the
 * `cifar-10-batches-bin` folder that the official archive unpacks to.
 */
export async function resolveCifar10Dir(dir: string): Promise<string> {
  for (const candidate of [dir, path.join(dir, 'cifar-10-batches-bin')]) {
    try {
      await stat(path.join(candidate, CIFAR10_TEST_FILE));
      return candidate;
    } catch {
      // Try the next layout.
    }
  }
  return dir;
}

/**
 * Reads the training split (all five batches, 50 000 images) or the test split (10 000).
 * Every batch of the split must be present: a missing file is an error, not a smaller
 * dataset.
 */
export async function readCifar10(
  dir: string,
  split: Cifar10Split = 'train',
  options: CifarDecodeOptions = {},
): Promise<Cifar10Data> {
  const root = await resolveCifar10Dir(dir);
  const names = split === 'train' ? [...CIFAR10_TRAIN_FILES] : [CIFAR10_TEST_FILE];
  const files = names.map((name) => path.join(root, name));
  const parts: CifarRecords[] = [];
  for (const file of files) parts.push(await readBatchFile(file, options));

  const count = parts.reduce((sum, part) => sum + part.count, 0);
  const labels = new Uint8Array(count);
  const pixels = new Uint8Array(count * CIFAR10_PIXEL_BYTES);
  let offset = 0;
  for (const part of parts) {
    labels.set(part.labels, offset);
    pixels.set(part.pixels, offset * CIFAR10_PIXEL_BYTES);
    offset += part.count;
  }

  return {
    count,
    labels,
    pixels,
    files,
    shape: [count, CIFAR10_IMAGE_SIZE, CIFAR10_IMAGE_SIZE, CIFAR10_CHANNELS],
    images(indices: ArrayLike<number>): Float32Array {
      const out = new Float32Array(indices.length * CIFAR10_PIXEL_BYTES);
      for (let k = 0; k < indices.length; k++) {
        const index = indices[k];
        if (!Number.isInteger(index) || index < 0 || index >= count) {
          throw new RangeError(`CIFAR-10 images: index ${index} is outside 0…${count - 1}`);
        }
        const source = pixels.subarray(index * CIFAR10_PIXEL_BYTES, (index + 1) * CIFAR10_PIXEL_BYTES);
        for (let i = 0; i < CIFAR10_PIXEL_BYTES; i++) out[k * CIFAR10_PIXEL_BYTES + i] = source[i] / 127.5 - 1;
      }
      return out;
    },
  };
}

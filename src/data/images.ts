/**
 * Image folders (CAT, FFHQ): PNG and JPEG files of any colour type, cropped to a square
 * (the centred one unless the caller chooses another, as CAT's landmark crop does), resized
 * to size × size and scaled to [−1, 1]. They are streamed in shuffled
 * batches, so a 70 000-image folder is never in memory at once.
 *
 * Decoders disagree on channel counts (pngjs and jpeg-js return RGBA, other decoders return
 * 1–4 channels by file), so every file is decoded to RGBA first and then reduced to the
 * requested channels. Every image from a folder therefore has the same [size, size, C]:
 * - 3 channels: R, G, B with alpha dropped (not composited), as decoding with 3 channels does;
 * - 1 channel: luma Y = 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601), rounded to a byte.
 *
 * Resampling: area averaging when shrinking an axis (each output pixel is the mean of the
 * input it covers, with fractional edge weights) and bilinear interpolation with half-pixel
 * centres when enlarging one. Both are separable, applied to rows then columns.
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { seededUniform } from './seededUniform.ts';

export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg'] as const;
export const MIN_IMAGE_SIZE = 32;
export const MAX_IMAGE_SIZE = 512;
/** ITU-R BT.601 luma weights for R, G, B. */
export const LUMA_WEIGHTS = [0.299, 0.587, 0.114] as const;

export type ImageChannels = 1 | 3;

/** A decoded image with `channels` interleaved bytes per pixel, row-major. */
export interface PixelImage {
  width: number;
  height: number;
  channels: number;
  data: Uint8Array;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_SIGNATURE = [0xff, 0xd8, 0xff];

function startsWith(bytes: Uint8Array, signature: number[]): boolean {
  return bytes.length >= signature.length && signature.every((value, i) => bytes[i] === value);
}

/** Detects PNG or JPEG from a file's first bytes; returns undefined for anything else. */
export function imageFormat(bytes: Uint8Array): 'png' | 'jpeg' | undefined {
  if (startsWith(bytes, PNG_SIGNATURE)) return 'png';
  if (startsWith(bytes, JPEG_SIGNATURE)) return 'jpeg';
  return undefined;
}

/**
 * Decodes a PNG (grayscale, RGB, palette, with or without alpha, 1–16 bits) or a JPEG
 * (grayscale or colour) to 8-bit RGBA. `file` is used only in error messages.
 */
export function decodeImage(bytes: Uint8Array, file: string): PixelImage {
  const format = imageFormat(bytes);
  if (format === undefined) {
    throw new Error(`image ${file}: not a PNG or JPEG file (unrecognised signature)`);
  }
  try {
    if (format === 'png') {
      // pngjs expands palette and grayscale to RGBA and rescales 16-bit samples to 8 bits.
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return { width: png.width, height: png.height, channels: 4, data: new Uint8Array(png.data) };
    }
    const decoded = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
    return { width: decoded.width, height: decoded.height, channels: 4, data: decoded.data };
  } catch (error) {
    throw new Error(`image ${file}: ${format.toUpperCase()} decoding failed: ${(error as Error).message}`);
  }
}

/** Reduces an RGBA image to RGB (alpha dropped) or to one luma channel rounded to a byte. */
export function toChannels(image: PixelImage, channels: ImageChannels): PixelImage {
  if (image.channels !== 4) {
    throw new RangeError(`toChannels: expected an RGBA image, received ${image.channels} channels`);
  }
  const pixels = image.width * image.height;
  const data = new Uint8Array(pixels * channels);
  for (let p = 0; p < pixels; p++) {
    const r = image.data[4 * p];
    const g = image.data[4 * p + 1];
    const b = image.data[4 * p + 2];
    if (channels === 3) {
      data[3 * p] = r;
      data[3 * p + 1] = g;
      data[3 * p + 2] = b;
    } else {
      data[p] = Math.round(LUMA_WEIGHTS[0] * r + LUMA_WEIGHTS[1] * g + LUMA_WEIGHTS[2] * b);
    }
  }
  return { width: image.width, height: image.height, channels, data };
}

/** A square region of an image in whole pixels: columns left … left + side − 1, rows top … top + side − 1. */
export interface SquareBox {
  left: number;
  top: number;
  side: number;
}

/** Returns the largest centred square; an odd surplus leaves the extra pixel on the right or bottom. */
export function centreSquare(width: number, height: number): SquareBox {
  const side = Math.min(width, height);
  return { left: Math.floor((width - side) / 2), top: Math.floor((height - side) / 2), side };
}

/** Copies the pixels of `box`, which must lie inside the image. */
export function cropSquare(image: PixelImage, box: SquareBox): PixelImage {
  const { left, top, side } = box;
  const inside =
    [left, top, side].every(Number.isInteger) && side >= 1 && left >= 0 && top >= 0 && left + side <= image.width && top + side <= image.height;
  if (!inside) {
    throw new RangeError(
      `cropSquare: box ${JSON.stringify(box)} must be whole pixels inside the ${image.width}×${image.height} image with a side of at least 1`,
    );
  }
  const { channels } = image;
  const data = new Uint8Array(side * side * channels);
  for (let row = 0; row < side; row++) {
    const from = ((top + row) * image.width + left) * channels;
    data.set(image.data.subarray(from, from + side * channels), row * side * channels);
  }
  return { width: side, height: side, channels, data };
}

/** Crops the largest centred square (see `centreSquare`). */
export function centerCropSquare(image: PixelImage): PixelImage {
  return cropSquare(image, centreSquare(image.width, image.height));
}

/** Input taps and weights of one output sample along an axis; the weights sum to 1. */
interface Taps {
  indices: number[];
  weights: number[];
}

/** Resampling weights for one axis: area averaging when shrinking, bilinear when enlarging. */
export function axisTaps(inputSize: number, outputSize: number): Taps[] {
  const taps: Taps[] = [];
  const scale = inputSize / outputSize;
  for (let o = 0; o < outputSize; o++) {
    const indices: number[] = [];
    const weights: number[] = [];
    if (outputSize <= inputSize) {
      const start = o * scale;
      const end = (o + 1) * scale;
      for (let i = Math.floor(start); i < Math.min(Math.ceil(end), inputSize); i++) {
        const overlap = Math.min(end, i + 1) - Math.max(start, i);
        if (overlap > 0) {
          indices.push(i);
          weights.push(overlap / scale);
        }
      }
    } else {
      const x = Math.min(Math.max((o + 0.5) * scale - 0.5, 0), inputSize - 1);
      const i0 = Math.floor(x);
      const t = x - i0;
      indices.push(i0);
      weights.push(1 - t);
      if (t > 0) {
        indices.push(i0 + 1);
        weights.push(t);
      }
    }
    taps.push({ indices, weights });
  }
  return taps;
}

/** Resizes to width × height with `axisTaps` along each axis; values stay in 0…255 as floats. */
export function resizeImage(image: PixelImage, width: number, height: number): Float32Array {
  const { channels } = image;
  const columnTaps = axisTaps(image.width, width);
  const rowTaps = axisTaps(image.height, height);

  // Horizontal pass: image.height rows of `width` pixels.
  const horizontal = new Float32Array(image.height * width * channels);
  for (let row = 0; row < image.height; row++) {
    for (let col = 0; col < width; col++) {
      const { indices, weights } = columnTaps[col];
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let k = 0; k < indices.length; k++) {
          sum += weights[k] * image.data[(row * image.width + indices[k]) * channels + c];
        }
        horizontal[(row * width + col) * channels + c] = sum;
      }
    }
  }

  const out = new Float32Array(height * width * channels);
  for (let row = 0; row < height; row++) {
    const { indices, weights } = rowTaps[row];
    for (let i = 0; i < width * channels; i++) {
      let sum = 0;
      for (let k = 0; k < indices.length; k++) sum += weights[k] * horizontal[indices[k] * width * channels + i];
      out[row * width * channels + i] = sum;
    }
  }
  return out;
}

function assertImageSize(size: number): void {
  if (!Number.isInteger(size) || size < MIN_IMAGE_SIZE || size > MAX_IMAGE_SIZE) {
    throw new RangeError(
      `image folder: size must be an integer from ${MIN_IMAGE_SIZE} to ${MAX_IMAGE_SIZE} pixels, received ${size}`,
    );
  }
}

function assertChannels(channels: number): asserts channels is ImageChannels {
  if (channels !== 1 && channels !== 3) {
    throw new RangeError(`image folder: channels must be 1 or 3, received ${channels}`);
  }
}

/** Chooses the square to crop from a decoded image's width and height; it may throw to reject the image. */
export type SquareChooser = (width: number, height: number) => SquareBox;

/**
 * Decodes one file's bytes, reduces them to `channels`, crops the square `chooseSquare`
 * returns (the centred one by default) and resizes it. Returns size × size × channels
 * floats in [−1, 1] (x/127.5 − 1).
 */
export function prepareImage(
  bytes: Uint8Array,
  file: string,
  size: number,
  channels: ImageChannels,
  chooseSquare: SquareChooser = centreSquare,
): Float32Array {
  assertImageSize(size);
  assertChannels(channels);
  const image = toChannels(decodeImage(bytes, file), channels);
  const square = cropSquare(image, chooseSquare(image.width, image.height));
  const resized = resizeImage(square, size, size);
  for (let i = 0; i < resized.length; i++) resized[i] = resized[i] / 127.5 - 1;
  return resized;
}

/** Image files under `dir`, recursively, sorted by path so a seed fixes the order. */
export async function listImageFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  const pending = [dir];
  while (pending.length > 0) {
    const current = pending.pop() as string;
    let entries;
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch (error) {
      throw new Error(`image folder ${current} could not be listed: ${(error as Error).message}`);
    }
    for (const entry of entries) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) pending.push(full);
      else if (entry.isFile() && (IMAGE_EXTENSIONS as readonly string[]).includes(path.extname(entry.name).toLowerCase())) {
        files.push(full);
      }
    }
  }
  return files.sort();
}

/** Shuffles a copy of `items` (Fisher–Yates) in an order fixed by `seed`; seed 0 is a seed like any other. */
export function shuffleWithSeed<T>(items: readonly T[], seed: number): T[] {
  if (!Number.isInteger(seed)) throw new RangeError(`shuffleWithSeed: seed must be an integer, received ${seed}`);
  const random = seededUniform(seed);
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export interface ImageBatchOptions {
  /** Output width and height in pixels, 32–512. */
  size: number;
  /** 3 for RGB, 1 for luma. Default 3. */
  channels?: ImageChannels;
  /** Images per batch. */
  batchSize: number;
  /** Seed of the file order; one pass over the folder per call. */
  seed: number;
  /** Drop a last batch smaller than batchSize. Default false. */
  dropRemainder?: boolean;
  /** 'error' (default) stops at the first unreadable file; 'skip' warns and moves on. */
  onUnreadable?: 'error' | 'skip';
  /** Receives skip warnings; defaults to console.warn. */
  warn?: (message: string) => void;
}

export interface ImageBatch {
  /** shape[0] × size × size × channels floats in [−1, 1]. */
  pixels: Float32Array;
  shape: [number, number, number, number];
  files: string[];
}

/**
 * Streams one shuffled pass over an image folder (or an explicit file list) in batches.
 * Files are read a batch at a time, so only one batch of decoded images is in memory.
 */
export async function* imageBatches(source: string | readonly string[], options: ImageBatchOptions): AsyncGenerator<ImageBatch> {
  const channels = options.channels ?? 3;
  assertImageSize(options.size);
  assertChannels(channels);
  if (!Number.isInteger(options.batchSize) || options.batchSize <= 0) {
    throw new RangeError(`imageBatches: batchSize must be a positive integer, received ${options.batchSize}`);
  }
  const files = typeof source === 'string' ? await listImageFiles(source) : source.slice();
  if (files.length === 0) {
    throw new Error(`imageBatches: no ${IMAGE_EXTENSIONS.join('/')} files in ${String(source)}`);
  }
  const order = shuffleWithSeed(files, options.seed);
  const warn = options.warn ?? ((message: string) => console.warn(message));
  const imageLength = options.size * options.size * channels;

  let next = 0;
  while (next < order.length) {
    const pixels = new Float32Array(options.batchSize * imageLength);
    const batchFiles: string[] = [];
    while (batchFiles.length < options.batchSize && next < order.length) {
      const wanted = Math.min(options.batchSize - batchFiles.length, order.length - next);
      const candidates = order.slice(next, next + wanted);
      next += wanted;
      const contents = await Promise.all(candidates.map((file) => readImageFile(file)));
      for (let k = 0; k < candidates.length; k++) {
        try {
          const content = contents[k];
          if (content instanceof Error) throw content;
          const image = prepareImage(content, candidates[k], options.size, channels);
          pixels.set(image, batchFiles.length * imageLength);
          batchFiles.push(candidates[k]);
        } catch (error) {
          if (options.onUnreadable !== 'skip') throw error;
          warn(`skipping unreadable image: ${(error as Error).message}`);
        }
      }
    }
    if (batchFiles.length === 0) break;
    if (batchFiles.length < options.batchSize && options.dropRemainder) break;
    yield {
      pixels: batchFiles.length === options.batchSize ? pixels : pixels.slice(0, batchFiles.length * imageLength),
      shape: [batchFiles.length, options.size, options.size, channels],
      files: batchFiles,
    };
  }
}

async function readImageFile(file: string): Promise<Uint8Array | Error> {
  try {
    return await readFile(file);
  } catch (error) {
    return new Error(`image ${file} could not be read: ${(error as Error).message}`);
  }
}

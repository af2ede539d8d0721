/**
 * Landmarks of the CAT dataset (Zhang, Sun and Tang 2008, "Cat head detection: how to
 * effectively exploit shape and texture features") and the face crop taken from them.
 *
 * Beside every photo NAME.jpg lies NAME.jpg.cat, one line of whitespace-separated numbers:
 * the point count 9, then nine x y pairs in pixels (x to the right, y down from the top-left
 * corner) in the order of CAT_LANDMARK_NAMES.
 *
 * Face crop rule (`catFaceBox`): take the bounding box of the nine points, where the pixel
 * at (x, y) covers [x, x + 1) × [y, y + 1). The square is centred on that box, and its side
 * is the box's longer side times CAT_FACE_MARGIN, rounded up. It is shrunk to the photo's
 * shorter side only when the photo is too small, and shifted (never shrunk) to stay inside.
 * NOTE: faces are not rotated to level the eyes, as some CAT preprocessing for GANs does, so tilted heads stay tilted.
 */
import { readFile } from 'node:fs/promises';
import type { SquareBox } from './images.ts';

export const CAT_LANDMARK_COUNT = 9;
export const CAT_LANDMARK_EXTENSION = '.cat';
export const CAT_LANDMARK_NAMES = [
  'left eye',
  'right eye',
  'mouth',
  'left ear 1',
  'left ear 2',
  'left ear 3',
  'right ear 1',
  'right ear 2',
  'right ear 3',
] as const;
/**
 * Side of the face square over the longer side of the landmarks' bounding box. The ear tips
 * bound the head from above but the chin lies below the mouth, so the crop needs some room;
 * 1.2 is this project's choice, not a value from the dataset's authors.
 */
export const CAT_FACE_MARGIN = 1.2;

/** A landmark in pixels: x to the right and y down from the image's top-left corner. */
export interface LandmarkPoint {
  x: number;
  y: number;
}

/** A landmark file that is malformed or whose points do not fit its image. */
export class CatLandmarkError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`landmark file ${file}: ${detail}`);
    this.name = 'CatLandmarkError';
  }
}

/** Returns the landmark file that belongs to an image: the image's path with `.cat` appended. */
export function catLandmarkFile(imageFile: string): string {
  return `${imageFile}${CAT_LANDMARK_EXTENSION}`;
}

/** Parses a `.cat` file's text into its nine points; `file` is used only in error messages. */
export function parseCatLandmarks(text: string, file: string): LandmarkPoint[] {
  const tokens = text.trim().split(/\s+/).filter((token) => token !== '');
  if (tokens.length === 0) throw new CatLandmarkError(file, `the file is empty, expected the count ${CAT_LANDMARK_COUNT} and ${CAT_LANDMARK_COUNT} x y pairs`);
  const values = tokens.map((token) => (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(token) ? Number(token) : Number.NaN));
  const badIndex = values.findIndex((value) => !Number.isFinite(value));
  if (badIndex !== -1) {
    throw new CatLandmarkError(file, `value ${badIndex + 1} is "${tokens[badIndex]}", expected a number`);
  }
  if (values[0] !== CAT_LANDMARK_COUNT) {
    throw new CatLandmarkError(file, `the point count is ${tokens[0]}, expected ${CAT_LANDMARK_COUNT}`);
  }
  if (values.length !== 1 + 2 * CAT_LANDMARK_COUNT) {
    throw new CatLandmarkError(file, `it has ${values.length - 1} coordinates after the count, expected ${2 * CAT_LANDMARK_COUNT}`);
  }
  return Array.from({ length: CAT_LANDMARK_COUNT }, (_, k) => ({ x: values[1 + 2 * k], y: values[2 + 2 * k] }));
}

/**
 * Reads the landmarks of `imageFile` from its `.cat` file, or returns undefined when there
 * is no such file. A malformed file raises CatLandmarkError.
 */
export async function readCatLandmarks(imageFile: string): Promise<LandmarkPoint[] | undefined> {
  const file = catLandmarkFile(imageFile);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`landmark file ${file} could not be read: ${(error as Error).message}`);
  }
  return parseCatLandmarks(text, file);
}

/** Raises CatLandmarkError naming the first point outside the width × height image. */
export function assertLandmarksInside(points: readonly LandmarkPoint[], width: number, height: number, file: string): void {
  points.forEach((point, k) => {
    if (point.x < 0 || point.x >= width || point.y < 0 || point.y >= height) {
      const name = CAT_LANDMARK_NAMES[k] ?? `point ${k + 1}`;
      throw new CatLandmarkError(file, `the ${name} at (${point.x}, ${point.y}) lies outside the ${width}×${height} image`);
    }
  });
}

/** Returns the face square of the rule in this module's header for points inside a width × height image. */
export function catFaceBox(points: readonly LandmarkPoint[], width: number, height: number, margin = CAT_FACE_MARGIN): SquareBox {
  for (const [name, value] of [['width', width], ['height', height]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`catFaceBox: ${name} must be a positive integer, received ${value}`);
  }
  if (!Number.isFinite(margin) || margin <= 0) throw new RangeError(`catFaceBox: margin must be a positive number, received ${margin}`);
  if (points.length === 0) throw new RangeError('catFaceBox: points must contain at least one landmark, received none');

  const xs = points.map((point) => point.x);
  const ys = points.map((point) => point.y);
  const left = Math.min(...xs);
  const right = Math.max(...xs) + 1;
  const top = Math.min(...ys);
  const bottom = Math.max(...ys) + 1;
  const side = Math.min(Math.ceil(Math.max(right - left, bottom - top) * margin), width, height);

  // Math.round sends a half pixel to the right or down; the clamp keeps the square inside.
  const clamp = (start: number, limit: number) => Math.min(Math.max(Math.round(start), 0), limit - side);
  return { left: clamp((left + right - side) / 2, width), top: clamp((top + bottom - side) / 2, height), side };
}

/** Counts of a folder's landmark files, for `data check`. */
export interface LandmarkSummary {
  images: number;
  /** Images that have a `.cat` file beside them. */
  withLandmarks: number;
  /** Messages of the `.cat` files that could not be parsed. */
  malformed: string[];
}

/** Reads the `.cat` file of every image in `imageFiles` and counts the present and malformed ones. */
export async function summariseLandmarks(imageFiles: readonly string[]): Promise<LandmarkSummary> {
  const summary: LandmarkSummary = { images: imageFiles.length, withLandmarks: 0, malformed: [] };
  for (const file of imageFiles) {
    try {
      if ((await readCatLandmarks(file)) !== undefined) summary.withLandmarks++;
    } catch (error) {
      summary.withLandmarks++;
      summary.malformed.push((error as Error).message);
    }
  }
  return summary;
}

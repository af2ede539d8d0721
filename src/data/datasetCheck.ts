/**
 * Inspects a data directory: which catalogued datasets are there, how many files and bytes
 * each has, what is missing or broken, and what an interrupted fetch left behind.
 */
import { open, readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import {
  CIFAR10_CLASSES,
  CIFAR10_RECORD_BYTES,
  CIFAR10_TEST_FILE,
  CIFAR10_TRAIN_FILES,
  cifarRecordCount,
  resolveCifar10Dir,
  type CifarDecodeOptions,
} from './cifar10.ts';
import { summariseLandmarks } from './catLandmarks.ts';
import { DATASETS, DATASET_NAMES, type DatasetName, type DatasetSpec } from './datasets.ts';
import { imageFormat, listImageFiles } from './images.ts';

/** Folder under the data directory where archives are downloaded. */
export const DOWNLOADS_FOLDER = '.downloads';
/** Prefix of the temporary folders that archives are unpacked into. */
export const UNPACK_PREFIX = '.unpack-';
/** Broken files listed by name in a report; the rest are counted. */
const LISTED_PROBLEMS = 5;

export interface DatasetStatus {
  name: DatasetName;
  path: string;
  present: boolean;
  /** Present with nothing missing and nothing broken. */
  complete: boolean;
  files: number;
  bytes: number;
  missing: string[];
  problems: string[];
  /** Facts that do not make the dataset incomplete, e.g. how many CAT photos have landmark files. */
  notes: string[];
  /** CAT only: photos with a `.cat` landmark file beside them. */
  landmarkFiles?: number;
}

export interface DataDirReport {
  dir: string;
  datasets: DatasetStatus[];
  /** Partial downloads and unpack folders of interrupted fetches. */
  leftovers: string[];
}

export type CheckOptions = CifarDecodeOptions;

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

/** Returns a problem with one batch file (length or labels), or undefined when it is sound. */
function cifarBatchProblem(file: string, bytes: Uint8Array, options: CheckOptions): string | undefined {
  try {
    const count = cifarRecordCount(bytes.length, file, options);
    for (let record = 0; record < count; record++) {
      const label = bytes[record * CIFAR10_RECORD_BYTES];
      if (label >= CIFAR10_CLASSES) return `${file}: record ${record} has label ${label}, expected 0–9`;
    }
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

async function checkCifar(status: DatasetStatus, options: CheckOptions): Promise<void> {
  const root = await resolveCifar10Dir(status.path);
  for (const name of [...CIFAR10_TRAIN_FILES, CIFAR10_TEST_FILE]) {
    const file = path.join(root, name);
    if (!(await exists(file))) {
      status.missing.push(name);
      continue;
    }
    const bytes = await readFile(file);
    status.files++;
    status.bytes += bytes.length;
    const problem = cifarBatchProblem(file, bytes, options);
    if (problem) status.problems.push(problem);
  }
}

async function readSignature(file: string): Promise<Uint8Array> {
  const handle = await open(file, 'r');
  try {
    const buffer = new Uint8Array(8);
    const { bytesRead } = await handle.read(buffer, 0, 8, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

async function checkImages(status: DatasetStatus, spec: DatasetSpec): Promise<void> {
  const files = await listImageFiles(status.path);
  const broken: string[] = [];
  for (const file of files) {
    status.files++;
    status.bytes += (await stat(file)).size;
    if (imageFormat(await readSignature(file)) === undefined) broken.push(file);
  }
  if (files.length === 0) status.missing.push('every image (no .png, .jpg or .jpeg files)');
  else if (spec.expectedImages !== undefined && files.length < spec.expectedImages) {
    status.missing.push(`${spec.expectedImages - files.length} of ${spec.expectedImages} images`);
  }
  for (const file of broken.slice(0, LISTED_PROBLEMS)) status.problems.push(`${file}: not a PNG or JPEG file`);
  if (broken.length > LISTED_PROBLEMS) {
    status.problems.push(`${broken.length - LISTED_PROBLEMS} more files that are not PNG or JPEG`);
  }
  if (spec.name === 'cat' && files.length > 0) await checkLandmarks(status, files);
}

/**
 * Counts the CAT photos with `.cat` landmark files. Photos without one, or with a malformed
 * one, are left out of training rather than breaking it, so they are notes, not problems.
 */
async function checkLandmarks(status: DatasetStatus, files: string[]): Promise<void> {
  const summary = await summariseLandmarks(files);
  status.landmarkFiles = summary.withLandmarks;
  if (summary.withLandmarks === summary.malformed.length) {
    status.missing.push('a well-formed .cat landmark file beside any image (the face crop trains only on photos with one)');
  }
  const without = summary.images - summary.withLandmarks;
  const malformed = summary.malformed.length;
  const skipped = [without > 0 ? `${without} without one` : '', malformed > 0 ? `${malformed} with a malformed one` : ''].filter(Boolean);
  status.notes.push(
    `${summary.withLandmarks} of ${summary.images} images have a .cat landmark file` +
      (skipped.length > 0 ? `; the face crop skips ${without + malformed}: ${skipped.join(' and ')}` : ''),
  );
  for (const message of summary.malformed.slice(0, LISTED_PROBLEMS)) status.notes.push(`malformed, skipped by the face crop: ${message}`);
  if (summary.malformed.length > LISTED_PROBLEMS) {
    status.notes.push(`${summary.malformed.length - LISTED_PROBLEMS} more malformed .cat files, skipped by the face crop`);
  }
}

/** Checks one dataset folder against its catalogue entry. */
export async function checkDataset(name: DatasetName, folder: string, options: CheckOptions = {}): Promise<DatasetStatus> {
  const spec = DATASETS[name];
  const status: DatasetStatus = {
    name,
    path: folder,
    present: await exists(folder),
    complete: false,
    files: 0,
    bytes: 0,
    missing: [],
    problems: [],
    notes: [],
  };
  if (!status.present) return status;
  if (spec.layout === 'cifar-batches') await checkCifar(status, options);
  else await checkImages(status, spec);
  status.complete = status.missing.length === 0 && status.problems.length === 0;
  return status;
}

/** Reports every catalogued dataset under `dir` and the leftovers of interrupted fetches. */
export async function checkDatasetDir(dir: string, options: CheckOptions = {}): Promise<DataDirReport> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (error) {
    throw new Error(`data directory ${dir} could not be read: ${(error as Error).message}`);
  }
  const datasets: DatasetStatus[] = [];
  for (const name of DATASET_NAMES) {
    datasets.push(await checkDataset(name, path.join(dir, DATASETS[name].folder), options));
  }

  const leftovers = entries.filter((entry) => entry.startsWith(UNPACK_PREFIX)).map((entry) => path.join(dir, entry));
  const downloads = path.join(dir, DOWNLOADS_FOLDER);
  if (await exists(downloads)) {
    for (const entry of await readdir(downloads)) leftovers.push(path.join(downloads, entry));
  }
  return { dir, datasets, leftovers };
}

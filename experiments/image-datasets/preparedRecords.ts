/**
 * Turns image files into the byte records of a prepared cache: decode, crop, resize to
 * side² × 3 and round back to bytes. Several files are decoded at once in worker threads,
 * and the records are still handed over in file order, so the cache's bytes do not depend
 * on the number of workers.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { assertLandmarksInside, catFaceBox, catLandmarkFile, CatLandmarkError, readCatLandmarks } from '../../src/data/catLandmarks.ts';
import { prepareImage } from '../../src/data/images.ts';

export const PREPARED_CHANNELS = 3;

/**
 * The rule that cuts a square from a photo: 'centre' takes the largest centred square,
 * 'cat-landmarks' the face square around the CAT landmarks of its `.cat` file
 * (src/data/catLandmarks.ts).
 */
export type ImageCrop = 'centre' | 'cat-landmarks';
export const IMAGE_CROPS: readonly ImageCrop[] = ['centre', 'cat-landmarks'];

export interface RecordSettings {
  /** Image side r of the records. */
  side: number;
  crop: ImageCrop;
  /**
   * The handling of a malformed `.cat` file, or one whose points lie outside its photo:
   * 'error' stops the preparation, 'skip' leaves the image out. Photos without a `.cat`
   * file are always left out when cropping by landmarks.
   */
  invalidLandmarks: 'error' | 'skip';
}

/** The reason an image was left out of the records. */
export type SkipReason = 'missing-landmarks' | 'invalid-landmarks';

export type RecordOutcome = { kind: 'image'; bytes: Uint8Array } | { kind: 'skipped'; reason: SkipReason; message: string };

/** Converts floats in [−1, 1] back to bytes, as they were before scaling. */
export function toBytes(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Math.min(255, Math.max(0, Math.round((values[i] + 1) * 127.5)));
  return out;
}

function skipOrThrow(error: unknown, settings: RecordSettings): RecordOutcome {
  if (error instanceof CatLandmarkError && settings.invalidLandmarks === 'skip') {
    return { kind: 'skipped', reason: 'invalid-landmarks', message: error.message };
  }
  throw error;
}

/** Reads, decodes, crops and resizes one image file into its record, or returns the reason it is left out. */
export async function prepareRecord(file: string, settings: RecordSettings): Promise<RecordOutcome> {
  if (settings.crop === 'centre') {
    return { kind: 'image', bytes: toBytes(prepareImage(await readFile(file), file, settings.side, PREPARED_CHANNELS)) };
  }

  let points;
  try {
    points = await readCatLandmarks(file);
  } catch (error) {
    return skipOrThrow(error, settings);
  }
  if (points === undefined) {
    return { kind: 'skipped', reason: 'missing-landmarks', message: `image ${file}: no landmark file ${catLandmarkFile(file)}` };
  }
  const bytes = await readFile(file);
  try {
    const face = prepareImage(bytes, file, settings.side, PREPARED_CHANNELS, (width, height) => {
      assertLandmarksInside(points, width, height, catLandmarkFile(file));
      return catFaceBox(points, width, height);
    });
    return { kind: 'image', bytes: toBytes(face) };
  } catch (error) {
    return skipOrThrow(error, settings);
  }
}

/** A file for a worker to prepare, by its position in the folder's file list. */
export interface RecordTask {
  index: number;
  file: string;
}

/** A worker's reply to one task. */
export type RecordReply = { index: number; outcome: RecordOutcome } | { index: number; failure: string };

const WORKER_FILE = fileURLToPath(new URL('./preparedRecordsWorker.ts', import.meta.url));

/**
 * Starts a worker thread that runs preparedRecordsWorker.ts. Node 20 does not apply a
 * worker's `--import tsx` to the worker's own entry module (checked on 20.20), so the
 * thread registers tsx's CommonJS loader through its API and then requires the TypeScript
 * file. Both paths are resolved here, so the thread does not depend on the working folder.
 */
function startRecordWorker(settings: RecordSettings): Worker {
  const tsxApi = createRequire(import.meta.url).resolve('tsx/cjs/api');
  const bootstrap = `require(${JSON.stringify(tsxApi)}).register(); require(${JSON.stringify(WORKER_FILE)});`;
  return new Worker(bootstrap, { eval: true, workerData: settings });
}

export interface DecodeOptions {
  /** Worker threads; 1 decodes on the calling thread. */
  workers: number;
  /** Receives every file's outcome in file order; the next one waits until the promise settles. */
  onOutcome(index: number, outcome: RecordOutcome): Promise<void>;
}

/** Files handed out ahead of the next record due, per worker; bounds the records held out of order. */
const TASKS_AHEAD_PER_WORKER = 4;

/** Prepares `files` into records, on `options.workers` worker threads when that is more than 1. */
export async function prepareRecords(files: readonly string[], settings: RecordSettings, options: DecodeOptions): Promise<void> {
  if (!Number.isInteger(options.workers) || options.workers < 1) {
    throw new RangeError(`prepareRecords: workers must be a positive integer, received ${options.workers}`);
  }
  const workerCount = Math.min(options.workers, files.length);
  if (workerCount <= 1) {
    for (const [index, file] of files.entries()) await options.onOutcome(index, await prepareRecord(file, settings));
    return;
  }

  const window = workerCount * TASKS_AHEAD_PER_WORKER;
  const finished = new Map<number, RecordOutcome>();
  const idle: Worker[] = [];
  const workers: Worker[] = [];
  let nextTask = 0;
  let nextRecord = 0;
  let settled = false;
  let handing: Promise<void> = Promise.resolve();

  await new Promise<void>((resolve, reject) => {
    const stop = (error?: Error) => {
      if (settled) return;
      settled = true;
      // Waiting for every thread to end keeps none alive after the promise settles.
      void Promise.all(workers.map((worker) => worker.terminate())).then(() => (error ? reject(error) : resolve()));
    };
    const dispatch = (worker: Worker) => {
      if (nextTask < files.length && nextTask < nextRecord + window) {
        worker.postMessage({ index: nextTask, file: files[nextTask] } satisfies RecordTask);
        nextTask++;
      } else {
        idle.push(worker);
      }
    };
    const handOver = async () => {
      while (!settled && finished.has(nextRecord)) {
        const outcome = finished.get(nextRecord) as RecordOutcome;
        finished.delete(nextRecord);
        await options.onOutcome(nextRecord, outcome);
        nextRecord++;
        while (idle.length > 0 && nextTask < files.length && nextTask < nextRecord + window) dispatch(idle.pop() as Worker);
      }
      if (nextRecord === files.length) stop();
    };

    for (let i = 0; i < workerCount; i++) {
      const worker = startRecordWorker(settings);
      workers.push(worker);
      worker.on('message', (reply: RecordReply) => {
        if (settled) return;
        if ('failure' in reply) {
          stop(new Error(reply.failure));
          return;
        }
        finished.set(reply.index, reply.outcome);
        dispatch(worker);
        handing = handing.then(handOver).catch((error: Error) => stop(error));
      });
      worker.on('error', (error) => stop(new Error(`image preparation worker failed: ${error.message}`)));
      worker.on('exit', (code) => stop(new Error(`image preparation worker exited with code ${code} before the images were prepared`)));
      dispatch(worker);
    }
  });
}

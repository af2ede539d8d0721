/**
 * Resumable downloads over HTTP(S) or from file:// URLs. Bytes go to a `.part` file. A
 * retry, or a later run, requests the rest with an HTTP Range header and appends it, so a
 * dropped connection costs only the bytes in flight.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { stat, truncate } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';

export interface DownloadOptions {
  /** Tries per file, counting the first. Default 5. */
  attempts?: number;
  /** Wait between tries in milliseconds. Default 2000. */
  retryDelayMs?: number;
  /** Receives progress and retry lines. */
  log?: (line: string) => void;
  /** Minimum time between progress lines in milliseconds. Default 1000. */
  progressIntervalMs?: number;
}

/** A failure that another try cannot fix (HTTP 4xx other than 416, a missing local file). */
class PermanentDownloadError extends Error {}

async function fileSize(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    return 0;
  }
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** Counts bytes as they pass and logs "name: done of total (percent), rate" at most once per interval. */
function progressCounter(name: string, start: number, total: number | undefined, options: DownloadOptions): Transform {
  const log = options.log;
  const interval = options.progressIntervalMs ?? 1000;
  const began = Date.now();
  let received = 0;
  let lastLine = began;
  const line = (): string => {
    const seconds = Math.max((Date.now() - began) / 1000, 1e-3);
    const done = start + received;
    const share = total ? ` (${((100 * done) / total).toFixed(1)}%)` : '';
    return `${name}: ${formatBytes(done)} of ${total ? formatBytes(total) : 'unknown size'}${share}, ${formatBytes(received / seconds)}/s`;
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      const now = Date.now();
      if (log && now - lastLine >= interval) {
        lastLine = now;
        log(line());
      }
      callback(null, chunk);
    },
    flush(callback) {
      if (log) log(line());
      callback();
    },
  });
}

/** Parses "bytes START-END/TOTAL" of a 206 response. */
function parseContentRange(header: string | null): { start: number; total: number | undefined } | undefined {
  const match = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(header ?? '');
  if (!match) return undefined;
  return { start: Number(match[1]), total: match[2] === '*' ? undefined : Number(match[2]) };
}

async function oneHttpAttempt(url: string, partFile: string, name: string, options: DownloadOptions): Promise<void> {
  let offset = await fileSize(partFile);
  const headers: Record<string, string> = offset > 0 ? { Range: `bytes=${offset}-` } : {};
  const response = await fetch(url, { headers, redirect: 'follow' });

  if (response.status === 416 && offset > 0) {
    // The part file already has every byte; the checksum decides whether they are right.
    await response.body?.cancel();
    return;
  }
  let total: number | undefined;
  if (response.status === 206) {
    const range = parseContentRange(response.headers.get('content-range'));
    if (!range || range.start !== offset) {
      await response.body?.cancel();
      await truncate(partFile, 0);
      throw new Error(`${url}: the server resumed at an unexpected position (${response.headers.get('content-range')}); starting over`);
    }
    total = range.total;
  } else if (response.status === 200) {
    if (offset > 0) options.log?.(`${name}: the server ignored the Range request, downloading from the start`);
    offset = 0;
    const length = response.headers.get('content-length');
    total = length === null ? undefined : Number(length);
  } else {
    await response.body?.cancel();
    const message = `${url}: HTTP ${response.status} ${response.statusText}`;
    if (response.status >= 400 && response.status < 500) throw new PermanentDownloadError(message);
    throw new Error(message);
  }
  if (!response.body) throw new Error(`${url}: the response has no body`);

  await pipeline(
    Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>),
    progressCounter(name, offset, total, options),
    createWriteStream(partFile, { flags: offset > 0 ? 'a' : 'w' }),
  );
  const size = await fileSize(partFile);
  if (total !== undefined && size !== total) {
    throw new Error(`${url}: the connection ended at ${size} of ${total} bytes`);
  }
}

async function oneFileAttempt(url: string, partFile: string, name: string, options: DownloadOptions): Promise<void> {
  const source = fileURLToPath(url);
  let total: number;
  try {
    total = (await stat(source)).size;
  } catch (error) {
    throw new PermanentDownloadError(`${url}: ${(error as Error).message}`);
  }
  const offset = Math.min(await fileSize(partFile), total);
  if (offset === total) return;
  await pipeline(
    createReadStream(source, { start: offset }),
    progressCounter(name, offset, total, options),
    createWriteStream(partFile, { flags: offset > 0 ? 'a' : 'w' }),
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Downloads `url` into `partFile`, resuming from the bytes already there. Retries failed
 * tries after a pause; the part file is kept on failure so a later call resumes.
 */
export async function downloadResumable(url: string, partFile: string, name: string, options: DownloadOptions = {}): Promise<void> {
  const attempts = options.attempts ?? 5;
  const protocol = new URL(url).protocol;
  if (!['http:', 'https:', 'file:'].includes(protocol)) {
    throw new RangeError(`download ${url}: unsupported protocol ${protocol}; expected http, https or file`);
  }
  for (let attempt = 1; ; attempt++) {
    try {
      if (protocol === 'file:') await oneFileAttempt(url, partFile, name, options);
      else await oneHttpAttempt(url, partFile, name, options);
      return;
    } catch (error) {
      const kept = await fileSize(partFile);
      const reason = describeFailure(error);
      if (error instanceof PermanentDownloadError || attempt >= attempts) {
        throw new Error(
          `download of ${name} failed after ${attempt} ${attempt === 1 ? 'try' : 'tries'}: ${reason}` +
            (kept > 0 ? `; ${formatBytes(kept)} kept in ${partFile}, run the fetch again to resume` : ''),
        );
      }
      options.log?.(`${name}: try ${attempt} of ${attempts} failed (${reason}); resuming from byte ${kept}`);
      await sleep(options.retryDelayMs ?? 2000);
    }
  }
}

/** MD5 of a file as lowercase hex, streamed. */
export async function md5OfFile(file: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Returns an error's message with its cause. Node's fetch reports only "fetch failed" and
 * keeps the reason, such as "connect ECONNREFUSED 127.0.0.1:59999", in the cause.
 */
function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause.message : undefined;
  return cause !== undefined && !error.message.includes(cause) ? `${error.message} (${cause})` : error.message;
}

/**
 * Unpacks .tar.gz (tar's parser) and .zip (yauzl) archives into a folder. Entries with
 * absolute paths or `..` components are rejected, so an archive cannot write outside the
 * folder. Only regular files and folders are written; links and devices are skipped.
 *
 * The files are written here rather than by tar's own extractor because that one rejects
 * on a corrupt stream while its file writes are still running, so the caller could not
 * remove the half-written folder reliably. Here every write has settled before the
 * returned promise does.
 */
import { createReadStream, createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';
import yauzl from 'yauzl';

/** Resolves an entry name inside `target`, rejecting absolute names and `..` components. */
function safeDestination(target: string, name: string): string {
  const parts = name.split(/[\\/]+/).filter((part) => part !== '' && part !== '.');
  if (path.isAbsolute(name) || /^[a-zA-Z]:/.test(name) || parts.includes('..')) {
    throw new Error(`unsafe entry path: ${name}`);
  }
  return path.join(target, ...parts);
}

const TAR_FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);

/** Pipes a tar entry into a new file; settles when the file is closed. */
function writeEntry(entry: tar.ReadEntry, destination: string, open: Map<tar.ReadEntry, WriteStream>): Promise<void> {
  mkdirSync(path.dirname(destination), { recursive: true });
  const output = createWriteStream(destination);
  open.set(entry, output);
  entry.on('end', () => open.delete(entry));
  entry.pipe(output);
  return new Promise((resolve, reject) => {
    output.on('error', reject);
    output.on('close', resolve);
  });
}

async function unpackTarGz(archive: string, target: string): Promise<void> {
  const writes: Promise<void>[] = [];
  // A failing parser neither ends nor errors the entry it is in, so that entry's file is closed here.
  const open = new Map<tar.ReadEntry, WriteStream>();
  // strict turns the parser's warnings (bad headers, truncated or corrupt data) into errors.
  const parser = new tar.Parser({
    strict: true,
    onReadEntry: (entry) => {
      let destination: string;
      try {
        destination = safeDestination(target, entry.path);
      } catch (error) {
        entry.resume();
        parser.abort(error as Error);
        return;
      }
      if (entry.type === 'Directory') {
        mkdirSync(destination, { recursive: true });
        entry.resume();
      } else if (TAR_FILE_TYPES.has(entry.type)) {
        writes.push(writeEntry(entry, destination, open));
      } else {
        entry.resume();
      }
    },
  });
  const parsed = new Promise<void>((resolve, reject) => {
    parser.on('end', resolve);
    parser.on('error', reject);
  });
  const source = createReadStream(archive);
  source.on('error', (error) => parser.abort(error));
  source.pipe(parser as unknown as NodeJS.WritableStream);

  let parseError: unknown;
  try {
    await parsed;
  } catch (error) {
    parseError = error;
    for (const output of open.values()) output.destroy();
  }
  source.destroy();
  const settled = await Promise.allSettled(writes);
  if (parseError !== undefined) throw parseError;
  const failed = settled.find((result) => result.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
}

function nextZipEntry(zip: yauzl.ZipFile): Promise<yauzl.Entry | undefined> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      zip.removeListener('entry', onEntry);
      zip.removeListener('end', onEnd);
      zip.removeListener('error', onError);
    };
    const onEntry = (entry: yauzl.Entry): void => {
      cleanup();
      resolve(entry);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(undefined);
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    zip.on('entry', onEntry);
    zip.on('end', onEnd);
    zip.on('error', onError);
    zip.readEntry();
  });
}

async function unpackZip(archive: string, target: string): Promise<void> {
  // yauzl rejects absolute and `..` entry names while reading the central directory.
  const zip = await yauzl.openPromise(archive, { lazyEntries: true, autoClose: false, validateEntrySizes: true });
  try {
    for (let entry = await nextZipEntry(zip); entry; entry = await nextZipEntry(zip)) {
      const destination = safeDestination(target, entry.fileName);
      if (entry.fileName.endsWith('/')) {
        await mkdir(destination, { recursive: true });
        continue;
      }
      await mkdir(path.dirname(destination), { recursive: true });
      const stream = await zip.openReadStreamPromise(entry);
      await pipeline(stream, createWriteStream(destination));
    }
  } finally {
    zip.close();
  }
}

/** Unpacks `archive` into the existing folder `target`; a failure leaves partial contents for the caller to remove. */
export async function unpackArchive(archive: string, format: 'tar.gz' | 'zip', target: string): Promise<void> {
  try {
    if (format === 'tar.gz') await unpackTarGz(archive, target);
    else await unpackZip(archive, target);
  } catch (error) {
    throw new Error(`unpacking ${archive} failed: ${(error as Error).message}`);
  }
}

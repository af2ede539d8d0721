/**
 * Fetches a catalogued dataset into a data directory and implements the `data` command.
 *
 * A fetch downloads each archive to DIR/.downloads (resuming partial files), verifies its
 * MD5 where one is published, unpacks into a temporary DIR/.unpack-NAME-* folder, checks
 * the result, and only then renames it to DIR/NAME. An interrupted or failed fetch
 * therefore never leaves a half-filled DIR/NAME, and its temporary folder is removed on
 * failure or by the next fetch.
 */
import { mkdir, mkdtemp, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { checkDataset, checkDatasetDir, DOWNLOADS_FOLDER, UNPACK_PREFIX, type CheckOptions, type DataDirReport, type DatasetStatus } from './datasetCheck.ts';
import { DATASET_NAMES, datasetSpec, type DatasetArchive, type DatasetName, type DatasetSpec } from './datasets.ts';
import { downloadResumable, md5OfFile, type DownloadOptions } from './download.ts';
import { unpackArchive } from './unpack.ts';

export interface FetchDatasetOptions extends DownloadOptions, CheckOptions {
  /** Folder to download the archives from instead of the official one (a mirror, a local copy as file://, a test server). */
  baseUrl?: string;
  /** MD5 per archive file name; replaces the catalogue's checksum. */
  checksums?: Record<string, string>;
  /** Keep the downloaded archives in DIR/.downloads after unpacking. Default false. */
  keepArchives?: boolean;
}

export interface FetchResult {
  name: DatasetName;
  path: string;
  status: DatasetStatus;
  /** The dataset was already complete, so nothing was downloaded. */
  alreadyPresent: boolean;
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

function archiveUrl(baseUrl: string, fileName: string): string {
  const folder = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  return new URL(fileName, folder).toString();
}

/** Downloads one archive unless a verified copy is already in DIR/.downloads; returns its path. */
async function obtainArchive(
  spec: DatasetSpec,
  archive: DatasetArchive,
  baseUrl: string,
  downloads: string,
  options: FetchDatasetOptions,
): Promise<string> {
  const log = options.log;
  const complete = path.join(downloads, archive.fileName);
  const part = `${complete}.part`;
  const expected = options.checksums?.[archive.fileName] ?? archive.md5;

  if (await exists(complete)) {
    if (expected === undefined || (await md5OfFile(complete)) === expected) {
      log?.(`${archive.fileName}: using the archive already in ${downloads}`);
      return complete;
    }
    log?.(`${archive.fileName}: the archive in ${downloads} fails its checksum; downloading it again`);
    await rm(complete);
  }

  const url = archiveUrl(baseUrl, archive.fileName);
  log?.(`${archive.fileName}: downloading ${url}`);
  await downloadResumable(url, part, archive.fileName, options);

  if (expected === undefined) {
    log?.(`${archive.fileName}: ${spec.name} publishes no checksum for this archive, so it is not verified`);
  } else {
    const actual = await md5OfFile(part);
    if (actual !== expected) {
      await rm(part, { force: true });
      throw new Error(
        `${archive.fileName} from ${url} failed its checksum: MD5 ${actual}, expected ${expected}; ` +
          'the download was deleted, run the fetch again or use another --url',
      );
    }
  }
  await rename(part, complete);
  return complete;
}

async function removeStaleUnpackFolders(dir: string, name: DatasetName): Promise<void> {
  for (const entry of await readdir(dir)) {
    if (entry.startsWith(`${UNPACK_PREFIX}${name}-`)) {
      await rm(path.join(dir, entry), { recursive: true, force: true });
    }
  }
}

/** Finds the unpacked root: the single top-level folder an archive often wraps its files in, else the folder itself. */
async function unpackedRoot(folder: string): Promise<string> {
  const entries = await readdir(folder, { withFileTypes: true });
  if (entries.length === 1 && entries[0].isDirectory()) return path.join(folder, entries[0].name);
  return folder;
}

function describeProblems(status: DatasetStatus): string {
  return [...status.missing.map((item) => `missing ${item}`), ...status.problems].join('; ');
}

/**
 * Downloads, verifies and unpacks a dataset into DIR/NAME (cifar10, cat or ffhq). Returns
 * at once when DIR/NAME is already complete, and fails without touching it when it is
 * present but incomplete.
 */
export async function fetchDataset(name: DatasetName, dir: string, options: FetchDatasetOptions = {}): Promise<FetchResult> {
  const spec = datasetSpec(name);
  const log = options.log;
  const target = path.join(dir, spec.folder);
  await mkdir(dir, { recursive: true });

  if (await exists(target)) {
    const status = await checkDataset(name, target, options);
    if (status.complete) {
      log?.(`${name}: already complete in ${target}`);
      return { name, path: target, status, alreadyPresent: true };
    }
    throw new Error(`${target} exists but is incomplete (${describeProblems(status)}); move or remove it and fetch again`);
  }

  const baseUrl = options.baseUrl ?? spec.baseUrl;
  if (baseUrl === undefined) {
    throw new Error(
      `${spec.title} has no direct download address (see ${spec.homepage}); download ` +
        `${spec.archives.map((a) => a.fileName).join(', ')} yourself and pass --url with the folder that contains it (http, https or file://)`,
    );
  }

  const downloads = path.join(dir, DOWNLOADS_FOLDER);
  await mkdir(downloads, { recursive: true });
  const archives: string[] = [];
  for (const archive of spec.archives) archives.push(await obtainArchive(spec, archive, baseUrl, downloads, options));

  await removeStaleUnpackFolders(dir, name);
  const temporary = await mkdtemp(path.join(dir, `${UNPACK_PREFIX}${name}-`));
  try {
    for (const [index, archive] of spec.archives.entries()) {
      log?.(`${archive.fileName}: unpacking`);
      await unpackArchive(archives[index], archive.format, temporary);
    }
    const root = await unpackedRoot(temporary);
    const status = await checkDataset(name, root, options);
    if (!status.complete) throw new Error(`the unpacked ${name} is incomplete: ${describeProblems(status)}`);
    await rename(root, target);
    status.path = target;
    log?.(`${name}: ${status.files} files in ${target}`);
    if (!options.keepArchives) {
      for (const archive of archives) await rm(archive, { force: true });
      await rmdir(downloads).catch(() => undefined); // kept while other datasets' downloads are in it
    }
    return { name, path: target, status, alreadyPresent: false };
  } finally {
    await rm(temporary, { recursive: true, force: true });
  }
}

const USAGE = `Usage:
  gan-dynamics data fetch cifar10|cat|ffhq --dir DIR [--url URL] [--keep-archives] [--allow-short-batches]
  gan-dynamics data check DIR [--allow-short-batches]

fetch   downloads a dataset, verifies its checksum and unpacks it to DIR/NAME
        --dir DIR              data directory (created if missing)
        --url URL              folder to download the archives from instead of the
                               official address (http, https or file://)
        --keep-archives        keep the archives in DIR/.downloads after unpacking
check   lists the datasets in DIR with file counts and sizes, what is missing or
        broken, and leftovers of interrupted fetches; exit code 1 if a dataset is incomplete
        --allow-short-batches  accept CIFAR batch files with fewer than 10000 records
                               (test archives and subsets)`;

export interface CommandIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

const defaultIo: CommandIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

class UsageError extends Error {}

interface ParsedArguments {
  positional: string[];
  flags: Map<string, string | true>;
}

const VALUE_FLAGS = new Set(['--dir', '--url']);
const SWITCH_FLAGS = new Set(['--keep-archives', '--allow-short-batches', '--help', '-h']);

function parseArguments(argv: string[]): ParsedArguments {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    if (!word.startsWith('-')) {
      positional.push(word);
      continue;
    }
    const [flag, inline] = word.includes('=') ? [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)] : [word, undefined];
    if (VALUE_FLAGS.has(flag)) {
      const value = inline ?? argv[++i];
      if (value === undefined || value === '') throw new UsageError(`${flag} needs a value`);
      flags.set(flag, value);
    } else if (SWITCH_FLAGS.has(flag) && inline === undefined) {
      flags.set(flag, true);
    } else {
      throw new UsageError(`unknown option ${word}`);
    }
  }
  return { positional, flags };
}

function formatSize(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

function printReport(report: DataDirReport, io: CommandIo): boolean {
  io.out(`data directory ${report.dir}`);
  let sound = true;
  for (const status of report.datasets) {
    if (!status.present) {
      io.out(`  ${status.name.padEnd(8)} not fetched`);
      continue;
    }
    const state = status.complete ? 'complete' : 'incomplete';
    io.out(`  ${status.name.padEnd(8)} ${state}, ${status.files} files, ${formatSize(status.bytes)} in ${status.path}`);
    for (const item of status.missing) io.out(`    missing: ${item}`);
    for (const problem of status.problems) io.out(`    broken: ${problem}`);
    for (const note of status.notes) io.out(`    note: ${note}`);
    if (!status.complete) sound = false;
  }
  if (report.datasets.every((status) => !status.present)) {
    io.err(`gan-dynamics data check: no dataset in ${report.dir}; fill it with \`gan-dynamics data fetch cifar10|cat|ffhq --dir ${report.dir}\``);
    sound = false;
  }
  for (const leftover of report.leftovers) {
    const kind = path.basename(leftover).startsWith(UNPACK_PREFIX)
      ? 'interrupted unpack, removed by the next fetch'
      : leftover.endsWith('.part')
        ? 'partial download, resumed by the next fetch'
        : 'downloaded archive, reused by the next fetch';
    io.out(`  leftover: ${leftover} (${kind})`);
  }
  return sound;
}

/**
 * Runs `data fetch …` or `data check …`; `argv` is the words after `data` (a leading
 * `data` is skipped too). Returns the exit code: 0 on success, 1 on failure, 2 on bad usage.
 */
export async function runDataCommand(argv: string[], io: CommandIo = defaultIo): Promise<number> {
  const words = argv[0] === 'data' ? argv.slice(1) : argv;
  let parsed: ParsedArguments;
  try {
    parsed = parseArguments(words);
  } catch (error) {
    io.err(`gan-dynamics data: ${(error as Error).message}; see gan-dynamics data --help`);
    return 2;
  }
  const { positional, flags } = parsed;
  if (flags.has('--help') || flags.has('-h')) {
    io.out(USAGE);
    return 0;
  }
  const usageError = (reason: string): number => {
    io.err(`gan-dynamics data: ${reason}; see gan-dynamics data --help`);
    return 2;
  };
  const checkOptions: CheckOptions = { allowShortBatches: flags.has('--allow-short-batches') };

  const [command, ...rest] = positional;
  try {
    if (command === 'fetch') {
      if (rest.length !== 1) return usageError(`fetch needs one dataset name (${DATASET_NAMES.join(', ')})`);
      const name = rest[0];
      if (!(DATASET_NAMES as readonly string[]).includes(name)) {
        return usageError(`unknown dataset "${name}"; expected one of ${DATASET_NAMES.join(', ')}`);
      }
      const dir = flags.get('--dir');
      if (typeof dir !== 'string') return usageError('fetch needs --dir DIR');
      const url = flags.get('--url');
      const result = await fetchDataset(name as DatasetName, dir, {
        ...checkOptions,
        baseUrl: typeof url === 'string' ? url : undefined,
        keepArchives: flags.has('--keep-archives'),
        log: io.err,
      });
      io.out(`${result.name}: ${result.alreadyPresent ? 'already complete' : 'fetched'}, ${result.status.files} files in ${result.path}`);
      return 0;
    }
    if (command === 'check') {
      if (rest.length !== 1) return usageError('check needs one data directory');
      if (flags.has('--dir') || flags.has('--url') || flags.has('--keep-archives')) {
        return usageError('check takes the directory as its argument and no fetch options');
      }
      const info = await stat(rest[0]).catch(() => undefined);
      if (info === undefined || !info.isDirectory()) {
        return usageError(`check needs an existing data directory, but ${rest[0]} ${info === undefined ? 'does not exist' : 'is not a directory'}`);
      }
      return printReport(await checkDatasetDir(rest[0], checkOptions), io) ? 0 : 1;
    }
    return usageError(command === undefined ? 'missing command (fetch or check)' : `unknown command "${command}"`);
  } catch (error) {
    io.err(`gan-dynamics data ${command}: ${(error as Error).message}`);
    return 1;
  }
}

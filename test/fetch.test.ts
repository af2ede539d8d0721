import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import zlib from 'node:zlib';
import * as tar from 'tar';
import { CIFAR10_RECORD_BYTES, CIFAR10_TEST_FILE, CIFAR10_TRAIN_FILES, readCifar10 } from '../src/data/cifar10.ts';
import { checkDatasetDir } from '../src/data/datasetCheck.ts';
import { fetchDataset, runDataCommand } from '../src/data/fetch.ts';
import { catLine, pointsSpanning } from './catFixtures.ts';

const CIFAR_ARCHIVE = 'cifar-10-binary.tar.gz';
const GRAY_PNG = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000002000000010800000000d14920560000000b4944415478da6360f80f0001020100d11acb8f0000000049454e44ae426082',
  'hex',
);

function md5(bytes: Buffer): string {
  return createHash('md5').update(bytes).digest('hex');
}

async function temporaryDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

/** Builds a CIFAR-style tar.gz: cifar-10-batches-bin/ with six batch files of three records each. */
async function tinyCifarArchive(): Promise<Buffer> {
  const work = await temporaryDir('cifar-src-');
  try {
    const folder = path.join(work, 'cifar-10-batches-bin');
    await mkdir(folder);
    for (const [index, name] of [...CIFAR10_TRAIN_FILES, CIFAR10_TEST_FILE].entries()) {
      const batch = Buffer.alloc(CIFAR10_RECORD_BYTES * 3, 17);
      for (let record = 0; record < 3; record++) batch[record * CIFAR10_RECORD_BYTES] = (index + record) % 10;
      await writeFile(path.join(folder, name), batch);
    }
    await writeFile(path.join(folder, 'batches.meta.txt'), 'airplane\nautomobile\n');
    const archive = path.join(work, CIFAR_ARCHIVE);
    await tar.c({ gzip: true, cwd: work, file: archive, portable: true }, ['cifar-10-batches-bin']);
    return await readFile(archive);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Builds a zip archive with stored (uncompressed) entries. */
function storedZip(entries: [string, Buffer][]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of entries) {
    const nameBytes = Buffer.from(name, 'utf8');
    const crc = zlib.crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + data.length;
  }
  const centralSize = centrals.reduce((sum, part) => sum + part.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}

interface TestServer {
  url: string;
  /** Range header of every request, undefined when absent. */
  ranges: (string | undefined)[];
  /** Closes the connection of the next request for `file` after `bytes` body bytes. */
  dropNext(file: string, bytes: number): void;
  close(): Promise<void>;
}

/** Serves `files` on 127.0.0.1 with Range support. */
async function startServer(files: Map<string, Buffer>): Promise<TestServer> {
  const ranges: (string | undefined)[] = [];
  const drops = new Map<string, number>();
  const server = http.createServer((request, response) => {
    const name = decodeURIComponent((request.url ?? '/').slice(1).split('/').pop() ?? '');
    const body = files.get(name);
    ranges.push(request.headers.range);
    if (!body) {
      response.writeHead(404).end();
      return;
    }
    let start = 0;
    const range = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
    if (range) {
      start = Number(range[1]);
      if (start >= body.length) {
        response.writeHead(416, { 'Content-Range': `bytes */${body.length}` }).end();
        return;
      }
      response.writeHead(206, {
        'Content-Length': body.length - start,
        'Content-Range': `bytes ${start}-${body.length - 1}/${body.length}`,
      });
    } else {
      response.writeHead(200, { 'Content-Length': body.length });
    }
    const drop = drops.get(name);
    if (drop !== undefined) {
      drops.delete(name);
      response.write(body.subarray(start, start + drop), () => setTimeout(() => request.socket.destroy(), 50));
      return;
    }
    response.end(body.subarray(start));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mirror/`,
    ranges,
    dropNext: (file, bytes) => drops.set(file, bytes),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function entriesOf(dir: string): Promise<string[]> {
  return (await readdir(dir)).sort();
}

async function rejectionMessage(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as Error).message;
  }
  assert.unreachable('expected a rejection');
  return '';
}

const QUIET = { retryDelayMs: 10, allowShortBatches: true } as const;

test('fetch unpacks a verified CIFAR archive', async () => {
  const archive = await tinyCifarArchive();
  const server = await startServer(new Map([[CIFAR_ARCHIVE, archive]]));
  const dir = await temporaryDir('fetch-');
  try {
    const lines: string[] = [];
    const result = await fetchDataset('cifar10', dir, {
      ...QUIET,
      baseUrl: server.url,
      checksums: { [CIFAR_ARCHIVE]: md5(archive) },
      log: (line) => lines.push(line),
    });

    assert.is(result.path, path.join(dir, 'cifar10'));
    assert.is(result.alreadyPresent, false);
    assert.is(result.status.files, 6);
    assert.equal(await entriesOf(dir), ['cifar10']);
    const train = await readCifar10(result.path, 'train', { allowShortBatches: true });
    assert.is(train.count, 15);
    assert.ok(lines.some((line) => /B\/s$/.test(line)), `a progress line with a rate: ${lines.join(' | ')}`);

    const again = await fetchDataset('cifar10', dir, { ...QUIET, baseUrl: server.url });
    assert.is(again.alreadyPresent, true);
    assert.is(server.ranges.length, 1);

    const full = await rejectionMessage(fetchDataset('cifar10', dir, { baseUrl: server.url }));
    assert.match(full, /exists but is incomplete.*expected 30730000/);
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('fetch rejects a checksum mismatch', async () => {
  const archive = await tinyCifarArchive();
  const corrupt = Buffer.from(archive);
  corrupt[corrupt.length >> 1] ^= 0xff;
  const server = await startServer(new Map([[CIFAR_ARCHIVE, corrupt]]));
  const dir = await temporaryDir('fetch-');
  try {
    const message = await rejectionMessage(
      fetchDataset('cifar10', dir, { ...QUIET, baseUrl: server.url, checksums: { [CIFAR_ARCHIVE]: md5(archive) } }),
    );

    assert.match(message, new RegExp(`${CIFAR_ARCHIVE} from .* failed its checksum: MD5 ${md5(corrupt)}, expected ${md5(archive)}`));
    assert.equal(await entriesOf(dir), ['.downloads']);
    assert.equal(await entriesOf(path.join(dir, '.downloads')), []);
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('dropped connection resumes with Range', async () => {
  const archive = await tinyCifarArchive();
  const server = await startServer(new Map([[CIFAR_ARCHIVE, archive]]));
  const dir = await temporaryDir('fetch-');
  const half = archive.length >> 1;
  try {
    server.dropNext(CIFAR_ARCHIVE, half);
    const lines: string[] = [];
    await fetchDataset('cifar10', dir, {
      ...QUIET,
      baseUrl: server.url,
      checksums: { [CIFAR_ARCHIVE]: md5(archive) },
      log: (line) => lines.push(line),
    });

    assert.equal(server.ranges, [undefined, `bytes=${half}-`]);
    assert.ok(lines.some((line) => line.includes(`try 1 of 5 failed`)), lines.join(' | '));
    assert.equal(await entriesOf(dir), ['cifar10']);
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('partial download resumes on the next fetch', async () => {
  const archive = await tinyCifarArchive();
  const server = await startServer(new Map([[CIFAR_ARCHIVE, archive]]));
  const dir = await temporaryDir('fetch-');
  const third = Math.floor(archive.length / 3);
  const options = { ...QUIET, baseUrl: server.url, checksums: { [CIFAR_ARCHIVE]: md5(archive) } };
  try {
    server.dropNext(CIFAR_ARCHIVE, third);
    const message = await rejectionMessage(fetchDataset('cifar10', dir, { ...options, attempts: 1 }));
    assert.match(message, /failed after 1 try: .*run the fetch again to resume/);
    const part = path.join(dir, '.downloads', `${CIFAR_ARCHIVE}.part`);
    assert.is((await stat(part)).size, third);
    const report = await checkDatasetDir(dir);
    assert.equal(report.leftovers, [part]);

    await fetchDataset('cifar10', dir, options);
    assert.equal(server.ranges, [undefined, `bytes=${third}-`]);
    assert.equal(await entriesOf(dir), ['cifar10']);
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('interrupted unpack leaves no folder', async () => {
  const archive = await tinyCifarArchive();
  // Gzip streams cut short inside an entry and near the end: their checksums match, so only unpacking can fail.
  for (const length of [archive.length >> 1, archive.length - 200]) {
    const truncated = archive.subarray(0, length);
    const server = await startServer(new Map([[CIFAR_ARCHIVE, truncated]]));
    const dir = await temporaryDir('fetch-');
    try {
      // Leftover of a fetch killed while unpacking.
      const stale = path.join(dir, '.unpack-cifar10-killed');
      await mkdir(path.join(stale, 'cifar-10-batches-bin'), { recursive: true });
      assert.equal((await checkDatasetDir(dir)).leftovers, [stale]);

      const message = await rejectionMessage(
        fetchDataset('cifar10', dir, { ...QUIET, baseUrl: server.url, checksums: { [CIFAR_ARCHIVE]: md5(truncated) } }),
      );

      assert.match(message, new RegExp(`unpacking .*${CIFAR_ARCHIVE} failed: zlib: unexpected end of file`));
      const left = await entriesOf(dir);
      assert.ok(!left.includes('cifar10'), `no dataset folder: ${left}`);
      assert.ok(!left.some((entry) => entry.startsWith('.unpack-')), `no unpack folder: ${left}`);
    } finally {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  }
});

test('unpacked archive with missing batches is rejected', async () => {
  const work = await temporaryDir('cifar-src-');
  const dir = await temporaryDir('fetch-');
  try {
    await mkdir(path.join(work, 'cifar-10-batches-bin'));
    await writeFile(path.join(work, 'cifar-10-batches-bin', 'data_batch_1.bin'), Buffer.alloc(CIFAR10_RECORD_BYTES));
    const file = path.join(work, CIFAR_ARCHIVE);
    await tar.c({ gzip: true, cwd: work, file }, ['cifar-10-batches-bin']);
    const archive = await readFile(file);

    const message = await rejectionMessage(
      fetchDataset('cifar10', dir, { ...QUIET, baseUrl: pathToFileURL(work).toString(), checksums: { [CIFAR_ARCHIVE]: md5(archive) } }),
    );

    assert.match(message, /unpacked cifar10 is incomplete: missing data_batch_2\.bin/);
    assert.equal(await entriesOf(dir), ['.downloads']);
  } finally {
    await rm(work, { recursive: true, force: true });
    await rm(dir, { recursive: true, force: true });
  }
});

test('cat zips unpack into one image folder', async () => {
  const first = storedZip([['CAT_00/00000001_000.png', GRAY_PNG], ['CAT_00/00000001_000.png.cat', Buffer.from(catLine(pointsSpanning(0, 1, 0, 0)))]]);
  const second = storedZip([['CAT_06/00001500_004.png', GRAY_PNG]]);
  const server = await startServer(new Map([['CAT_DATASET_01.zip', first], ['CAT_DATASET_02.zip', second]]));
  const dir = await temporaryDir('fetch-');
  try {
    const result = await fetchDataset('cat', dir, { ...QUIET, baseUrl: server.url.replace(/\/$/, '') });

    assert.is(result.status.files, 2);
    assert.equal(await entriesOf(path.join(dir, 'cat')), ['CAT_00', 'CAT_06']);
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('zip entries outside the folder are rejected', async () => {
  const evil = storedZip([['../escaped.png', GRAY_PNG]]);
  const server = await startServer(new Map([['CAT_DATASET_01.zip', evil], ['CAT_DATASET_02.zip', evil]]));
  const dir = await temporaryDir('fetch-');
  try {
    const message = await rejectionMessage(fetchDataset('cat', dir, { ...QUIET, baseUrl: server.url }));

    assert.match(message, /unpacking .*CAT_DATASET_01\.zip failed: invalid relative path/);
    assert.ok(!(await entriesOf(path.dirname(dir))).includes('escaped.png'));
    assert.equal(await entriesOf(dir), ['.downloads']);
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('ffhq needs an explicit address', async () => {
  const dir = await temporaryDir('fetch-');
  try {
    const message = await rejectionMessage(fetchDataset('ffhq', dir));
    assert.match(message, /no direct download address \(see https:\/\/github\.com\/NVlabs\/ffhq-dataset\).*images1024x1024\.zip.*--url/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

function capture(): { io: { out: (line: string) => void; err: (line: string) => void }; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (line) => out.push(line), err: (line) => err.push(line) }, out, err };
}

test('data command rejects bad usage', async () => {
  const cases: [string[], RegExp][] = [
    [[], /missing command/],
    [['fetch'], /fetch needs one dataset name/],
    [['fetch', 'mnist', '--dir', 'x'], /unknown dataset "mnist"; expected one of cifar10, cat, ffhq/],
    [['fetch', 'cifar10'], /fetch needs --dir DIR/],
    [['fetch', 'cifar10', '--dir'], /--dir needs a value/],
    [['fetch', 'cifar10', '--dir', 'x', '--verbose'], /unknown option --verbose/],
    [['check'], /check needs one data directory/],
    [['check', '/no/such/data'], /check needs an existing data directory, but \/no\/such\/data does not exist/],
    [['check', 'package.json'], /package\.json is not a directory/],
    [['burn'], /unknown command "burn"/],
  ];
  for (const [argv, pattern] of cases) {
    const { io, out, err } = capture();
    const code = await runDataCommand(argv, io);
    assert.is(code, 2, `exit code of ${argv.join(' ')}`);
    assert.is(err.length, 1, `one line for ${argv.join(' ')}`);
    assert.match(err[0], pattern);
    assert.equal(out, []);
  }
});

test('data command prints help', async () => {
  for (const argv of [['--help'], ['data', 'fetch', '-h']]) {
    const { io, out } = capture();
    assert.is(await runDataCommand(argv, io), 0);
    assert.match(out.join('\n'), /data fetch cifar10\|cat\|ffhq --dir DIR \[--url URL\]/);
    assert.match(out.join('\n'), /data check DIR/);
  }
});

test('data command fetches and checks', async () => {
  const archive = await tinyCifarArchive();
  const source = await temporaryDir('mirror-');
  const dir = await temporaryDir('fetch-');
  try {
    // The official checksum cannot match a test archive, so this fetch must fail verification.
    await writeFile(path.join(source, CIFAR_ARCHIVE), archive);
    const url = pathToFileURL(source).toString();
    const failed = capture();
    assert.is(await runDataCommand(['fetch', 'cifar10', `--dir=${dir}`, '--url', url, '--allow-short-batches'], failed.io), 1);
    assert.match(failed.err.at(-1) ?? '', /^gan-dynamics data fetch: cifar-10-binary\.tar\.gz from file:.* failed its checksum/);

    await mkdir(path.join(dir, 'cat', 'CAT_00'), { recursive: true });
    await writeFile(path.join(dir, 'cat', 'CAT_00', 'a.png'), GRAY_PNG);
    await writeFile(path.join(dir, 'cat', 'CAT_00', 'b.jpg'), Buffer.from('not a jpeg'));
    const checked = capture();
    assert.is(await runDataCommand(['check', dir], checked.io), 1);
    const report = checked.out.join('\n');
    assert.match(report, /cifar10 +not fetched/);
    assert.match(report, /cat +incomplete, 2 files/);
    assert.match(report, /broken: .*b\.jpg: not a PNG or JPEG file/);
    assert.match(report, /ffhq +not fetched/);

    await rm(path.join(dir, 'cat', 'CAT_00', 'b.jpg'));
    const withoutLandmarks = capture();
    assert.is(await runDataCommand(['data', 'check', dir], withoutLandmarks.io), 1, 'no photo the face crop can use');
    assert.match(withoutLandmarks.out.join('\n'), /cat +incomplete, 1 files/);
    assert.match(withoutLandmarks.out.join('\n'), /missing: a well-formed \.cat landmark file beside any image/);

    await writeFile(path.join(dir, 'cat', 'CAT_00', 'a.png.cat'), catLine(pointsSpanning(0, 1, 0, 0)));
    const clean = capture();
    assert.is(await runDataCommand(['data', 'check', dir], clean.io), 0);
    assert.match(clean.out.join('\n'), /cat +complete, 1 files/);
    assert.match(clean.out.join('\n'), /note: 1 of 1 images have a \.cat landmark file/);

    const empty = await temporaryDir('empty-');
    const nothing = capture();
    assert.is(await runDataCommand(['check', empty], nothing.io), 1, 'a folder without any dataset');
    assert.match(nothing.err.join('\n'), /^gan-dynamics data check: no dataset in .*; fill it with `gan-dynamics data fetch cifar10\|cat\|ffhq --dir /);
    await rm(empty, { recursive: true, force: true });
  } finally {
    await rm(source, { recursive: true, force: true });
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();

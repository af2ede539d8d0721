import { mkdtempSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { seededUniform } from '../src/data/seededUniform.ts';
import { prepareImageFolder, type PrepareOptions, type PrepareProgress } from '../experiments/image-datasets/imageSource.ts';
import { catLine, pointsSpanning } from './catFixtures.ts';
import { writeImageFolder } from './imageExperimentsFixtures.ts';

const directory = mkdtempSync(path.join(os.tmpdir(), 'image-preparation-'));
const catFolder = path.join(directory, 'cat');
const photoFolder = path.join(directory, 'photos');

function randomJpeg(width: number, height: number, seed: number): Buffer {
  const random = seededUniform(seed);
  const rgba = Buffer.alloc(width * height * 4);
  for (let i = 0; i < rgba.length; i++) rgba[i] = i % 4 === 3 ? 255 : Math.floor(random() * 256);
  return Buffer.from(jpeg.encode({ data: rgba, width, height }, 90).data);
}

/** Returns a 64 × 48 PNG, blue except for the red square {left 19, top 9, side 12} that its landmarks give. */
function faceOnBlue(): Buffer {
  const png = new PNG({ width: 64, height: 48 });
  for (let y = 0; y < 48; y++) {
    for (let x = 0; x < 64; x++) {
      const face = x >= 19 && x < 31 && y >= 9 && y < 21;
      png.data.set(face ? [255, 0, 0, 255] : [0, 0, 255, 255], (y * 64 + x) * 4);
    }
  }
  return PNG.sync.write(png);
}

/**
 * The CAT fixture, in file order: a JPEG with good landmarks, one without a `.cat` file, one
 * with a point count of 8, one with a point outside the photo, and the red face on blue.
 */
async function writeCatFolder(): Promise<void> {
  await mkdir(catFolder, { recursive: true });
  await writeFile(path.join(catFolder, 'b_good.jpg'), randomJpeg(40, 36, 1));
  await writeFile(path.join(catFolder, 'b_good.jpg.cat'), catLine(pointsSpanning(5, 30, 4, 25)));
  await writeFile(path.join(catFolder, 'c_missing.jpg'), randomJpeg(40, 36, 2));
  await writeFile(path.join(catFolder, 'd_malformed.jpg'), randomJpeg(40, 36, 3));
  await writeFile(path.join(catFolder, 'd_malformed.jpg.cat'), catLine(pointsSpanning(5, 30, 4, 25)).replace(/^9/, '8'));
  await writeFile(path.join(catFolder, 'e_outside.jpg'), randomJpeg(40, 36, 4));
  await writeFile(path.join(catFolder, 'e_outside.jpg.cat'), catLine(pointsSpanning(5, 40, 4, 25)));
  // Points x 20–29, y 10–19: side ⌈10 · 1.2⌉ = 12 centred on (25, 15), so the box is {19, 9, 12}.
  await writeFile(path.join(catFolder, 'face.png'), faceOnBlue());
  await writeFile(path.join(catFolder, 'face.png.cat'), catLine(pointsSpanning(20, 29, 10, 19)));
}

test.before(async () => {
  await writeCatFolder();
  await writeImageFolder(photoFolder, 12, 50, 38);
});

interface Prepared {
  bytes: Uint8Array;
  header: Record<string, unknown>;
  log: string[];
}

async function prepare(folder: string, cacheDir: string, options: Partial<PrepareOptions>): Promise<Prepared> {
  const log: string[] = [];
  const settings: PrepareOptions = { side: 32, cacheDir, name: 'test', workers: 1, log: (line) => log.push(line), ...options };
  const bytesFile = await prepareImageFolder(folder, settings);
  const header = JSON.parse(await readFile(path.join(cacheDir, `${settings.name}-${settings.side}.json`), 'utf8')) as Record<string, unknown>;
  return { bytes: new Uint8Array(await readFile(bytesFile)), header, log };
}

/** Returns the first index where the arrays differ (the shorter length when one is a prefix), or −1. */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : length;
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected the preparation to fail');
    },
    (error: Error) => error,
  );
}

test('landmark crop keeps faces and skips the rest', async () => {
  const cacheDir = path.join(directory, 'crop');
  const prepared = await prepare(catFolder, cacheDir, { crop: 'cat-landmarks' });
  assert.is(prepared.header.count, 2);
  assert.is(prepared.header.files, 5);
  assert.is(prepared.header.crop, 'cat-landmarks');
  assert.equal(prepared.header.skipped, { 'missing-landmarks': 1, 'invalid-landmarks': 2 });

  const record = 32 * 32 * 3;
  assert.is(prepared.bytes.length, 2 * record);
  const face = prepared.bytes.subarray(record, 2 * record);
  for (let p = 0; p < 32 * 32; p++) assert.equal(Array.from(face.subarray(3 * p, 3 * p + 3)), [255, 0, 0], `face pixel ${p}`);

  const skipLine = prepared.log.find((line) => line.includes('skipped')) ?? '';
  assert.match(skipLine, /skipped 3 of 5 images \(1 without a \.cat landmark file, 2 with an unusable \.cat landmark file\)/);
  assert.match(skipLine, /c_missing\.jpg: no landmark file/);
  assert.match(skipLine, /d_malformed\.jpg\.cat: the point count is 8, expected 9/);
  assert.match(skipLine, /e_outside\.jpg\.cat: the right eye at \(40, 14\) lies outside the 40×36 image/);
});

test('CAT cache name defaults to the landmark crop', async () => {
  const prepared = await prepare(catFolder, path.join(directory, 'default'), { name: 'cat' });
  assert.is(prepared.header.crop, 'cat-landmarks');
  assert.is(prepared.header.count, 2);
});

test('invalid landmarks can stop preparation', async () => {
  const cacheDir = path.join(directory, 'strict');
  const error = await failure(prepare(catFolder, cacheDir, { crop: 'cat-landmarks', invalidLandmarks: 'error' }));
  assert.match(error.message, /landmark file .*d_malformed\.jpg\.cat: the point count is 8, expected 9/);
  assert.equal(await readdir(cacheDir), []);
});

test('changing the crop makes the cache stale', async () => {
  const cacheDir = path.join(directory, 'stale');
  const centre = await prepare(catFolder, cacheDir, { crop: 'centre' });
  assert.is(centre.header.count, 5);
  assert.is(centre.header.crop, 'centre');

  const faces = await prepare(catFolder, cacheDir, { crop: 'cat-landmarks' });
  assert.ok(faces.log.some((line) => line.includes('decoding')), faces.log.join('\n'));
  assert.is(faces.header.count, 2);
  assert.not.equal(faces.header.sourceHash, centre.header.sourceHash);

  const again = await prepare(catFolder, cacheDir, { crop: 'cat-landmarks' });
  assert.equal(again.log, []);

  const back = await prepare(catFolder, cacheDir, { crop: 'centre' });
  assert.ok(back.log.some((line) => line.includes('decoding')), back.log.join('\n'));
  assert.is(firstDifference(back.bytes, centre.bytes), -1);

  // A larger cache is shrunk into a smaller one only when both have the same crop.
  await prepare(catFolder, cacheDir, { crop: 'cat-landmarks', side: 64 });
  await rm(path.join(cacheDir, 'test-32.json'));
  const centreAgain = await prepare(catFolder, cacheDir, { crop: 'centre' });
  assert.ok(centreAgain.log[0].includes('decoding'), centreAgain.log.join('\n'));
  const fromLarger = await prepare(catFolder, cacheDir, { crop: 'cat-landmarks' });
  assert.ok(fromLarger.log[0].includes('shrinking the prepared 64²'), fromLarger.log.join('\n'));
  assert.is(fromLarger.header.count, 2);
  assert.equal(fromLarger.header.skipped, { 'missing-landmarks': 1, 'invalid-landmarks': 2 });
});

test('editing a landmark file makes the cache stale', async () => {
  const cacheDir = path.join(directory, 'edited');
  const folder = path.join(directory, 'cat-edited');
  await mkdir(folder, { recursive: true });
  await writeFile(path.join(folder, 'face.png'), faceOnBlue());
  await writeFile(path.join(folder, 'face.png.cat'), catLine(pointsSpanning(20, 29, 10, 19)));
  const first = await prepare(folder, cacheDir, { crop: 'cat-landmarks' });
  await writeFile(path.join(folder, 'face.png.cat'), catLine(pointsSpanning(0, 40, 0, 40)));
  const second = await prepare(folder, cacheDir, { crop: 'cat-landmarks' });
  assert.ok(second.log.some((line) => line.includes('decoding')), second.log.join('\n'));
  assert.is.not(firstDifference(second.bytes, first.bytes), -1);
});

test('parallel preparation equals serial', async () => {
  for (const [folder, crop] of [
    [photoFolder, 'centre'],
    [catFolder, 'cat-landmarks'],
  ] as const) {
    const serial = await prepare(folder, path.join(directory, `serial-${crop}`), { crop, workers: 1 });
    const progress: PrepareProgress[] = [];
    const parallel = await prepare(folder, path.join(directory, `parallel-${crop}`), { crop, workers: 3, onProgress: (entry) => progress.push(entry) });
    assert.ok(parallel.log[0].includes('on 3 thread(s)'), parallel.log[0]);
    assert.ok(serial.bytes.length > 0);
    assert.is(firstDifference(parallel.bytes, serial.bytes), -1, `${crop}: first differing cache byte`);
    assert.equal({ ...parallel.header, createdAt: '' }, { ...serial.header, createdAt: '' }, `${crop}: header`);

    const total = crop === 'centre' ? 12 : 5;
    assert.equal(
      progress.map((entry) => entry.done),
      Array.from({ length: total }, (_, i) => i + 1),
    );
    assert.ok(progress.every((entry) => entry.total === total));
    assert.is(progress.at(-1)?.secondsLeft, 0);
  }
});

test('failing worker stops preparation cleanly', async () => {
  const folder = path.join(directory, 'corrupt');
  await writeImageFolder(folder, 6);
  await writeFile(path.join(folder, 'image3.jpg'), Buffer.from('not a jpeg'));
  const cacheDir = path.join(directory, 'corrupt-cache');
  const error = await failure(prepare(folder, cacheDir, { workers: 2 }));
  assert.match(error.message, /image .*image3\.jpg: not a PNG or JPEG file/);
  assert.equal(await readdir(cacheDir), []);
});

test('bad crop and worker counts are rejected', async () => {
  const cacheDir = path.join(directory, 'bad');
  assert.match((await failure(prepare(photoFolder, cacheDir, { crop: 'middle' as 'centre' }))).message, /crop must be one of centre, cat-landmarks, received "middle"/);
  assert.match((await failure(prepare(photoFolder, cacheDir, { workers: 0 }))).message, /workers must be a positive integer, received 0/);
});

test.after(() => rm(directory, { recursive: true, force: true }));

test.run();

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  assertLandmarksInside,
  catFaceBox,
  CatLandmarkError,
  parseCatLandmarks,
  readCatLandmarks,
  summariseLandmarks,
} from '../src/data/catLandmarks.ts';
import { catLine, pointsSpanning } from './catFixtures.ts';


test('parse reads nine points in order', () => {
  const text = '9 175 160 239 162 199 199 149 121 137 78 166 93 281 101 312 96 296 133 \n';
  const points = parseCatLandmarks(text, 'a.jpg.cat');
  assert.is(points.length, 9);
  assert.equal(points[0], { x: 175, y: 160 });
  assert.equal(points[2], { x: 199, y: 199 });
  assert.equal(points[8], { x: 296, y: 133 });
});

test('parse rejects malformed files by name', () => {
  const nine = catLine(pointsSpanning(1, 5, 1, 5));
  const cases: [string, RegExp][] = [
    ['', /landmark file bad\.cat: the file is empty/],
    [nine.replace(/^9/, '8'), /landmark file bad\.cat: the point count is 8, expected 9/],
    [nine.replace(/ 5 /, ' five '), /landmark file bad\.cat: value \d+ is "five", expected a number/],
    [nine.replace(/ 5 /, ' 5px '), /value \d+ is "5px", expected a number/],
    [nine.trim().split(' ').slice(0, -1).join(' '), /landmark file bad\.cat: it has 17 coordinates after the count, expected 18/],
    [`${nine} 7`, /it has 19 coordinates after the count, expected 18/],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => parseCatLandmarks(text, 'bad.cat'), (error: Error) => error instanceof CatLandmarkError && message.test(error.message), text);
  }
});

test('face box matches hand-computed boxes', () => {
  // Each case: x and y extremes of the points, image width and height, expected box.
  const cases: [number, number, number, number, number, number, { left: number; top: number; side: number }][] = [
    // Box 20 × 15 from (10, 20): side ⌈20 · 1.2⌉ = 24, centre (20, 27.5), top 15.5 rounds to 16.
    [10, 29, 20, 34, 100, 100, { left: 8, top: 16, side: 24 }],
    // Box 10 × 10 in the top-left corner: side 12, centred start (−1, −1) shifted to (0, 0).
    [0, 9, 0, 9, 100, 100, { left: 0, top: 0, side: 12 }],
    // Box 10 × 10 against the bottom-right corner of 50 × 40: start (39, 29) shifted to (38, 28).
    [40, 49, 30, 39, 50, 40, { left: 38, top: 28, side: 12 }],
    // Box 20 × 11 in a 20 × 15 photo: side 24 shrinks to 15; left 2.5 rounds to 3, top (2 + 13 − 15)/2 = 0.
    [0, 19, 2, 12, 20, 15, { left: 3, top: 0, side: 15 }],
    // Box 6 × 31 (taller than wide): side ⌈31 · 1.2⌉ = 38, centre (53, 45.5), left 34, top 26.5 rounds to 27.
    [50, 55, 30, 60, 200, 100, { left: 34, top: 27, side: 38 }],
  ];
  for (const [minX, maxX, minY, maxY, width, height, expected] of cases) {
    assert.equal(catFaceBox(pointsSpanning(minX, maxX, minY, maxY), width, height), expected, `x ${minX}–${maxX}, y ${minY}–${maxY} in ${width}×${height}`);
  }
});

test('face box contains every landmark when the photo allows', () => {
  const points = pointsSpanning(40, 90, 10, 70);
  const box = catFaceBox(points, 300, 200);
  for (const point of points) {
    assert.ok(point.x >= box.left, `x ${point.x} left of ${JSON.stringify(box)}`);
    assert.ok(point.x < box.left + box.side, `x ${point.x} right of ${JSON.stringify(box)}`);
    assert.ok(point.y >= box.top, `y ${point.y} above ${JSON.stringify(box)}`);
    assert.ok(point.y < box.top + box.side, `y ${point.y} below ${JSON.stringify(box)}`);
  }
  assert.throws(() => catFaceBox(points, 0, 200), /catFaceBox: width must be a positive integer, received 0/);
  assert.throws(() => catFaceBox(points, 300, 200, -1), /catFaceBox: margin must be a positive number, received -1/);
});

test('points outside the image are named', () => {
  const points = pointsSpanning(0, 40, 0, 30);
  assertLandmarksInside(points, 41, 31, 'ok.cat');
  assert.throws(
    () => assertLandmarksInside(points, 40, 31, 'wide.jpg.cat'),
    /landmark file wide\.jpg\.cat: the right eye at \(40, 15\) lies outside the 40×31 image/,
  );
  const negative = points.map((point, k) => (k === 3 ? { x: -2, y: 0 } : point));
  assert.throws(() => assertLandmarksInside(negative, 41, 31, 'n.cat'), /the left ear 1 at \(-2, 0\) lies outside/);
});

test('folder landmark files are read and counted', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cat-landmarks-'));
  try {
    const good = path.join(dir, 'good.jpg');
    await writeFile(`${good}.cat`, catLine(pointsSpanning(1, 9, 2, 8)));
    await writeFile(path.join(dir, 'bad.jpg.cat'), '3 1 2');
    assert.equal((await readCatLandmarks(good))?.[1], { x: 9, y: 5 });
    assert.is(await readCatLandmarks(path.join(dir, 'none.jpg')), undefined);
    const failure = await readCatLandmarks(path.join(dir, 'bad.jpg')).then(
      () => undefined,
      (error: Error) => error,
    );
    assert.instance(failure, CatLandmarkError);

    const summary = await summariseLandmarks([good, path.join(dir, 'bad.jpg'), path.join(dir, 'none.jpg')]);
    assert.is(summary.images, 3);
    assert.is(summary.withLandmarks, 2);
    assert.is(summary.malformed.length, 1);
    assert.match(summary.malformed[0], /bad\.jpg\.cat: the point count is 3, expected 9/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();

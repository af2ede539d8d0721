import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkDataset } from '../src/data/datasetCheck.ts';
import { catLine, pointsSpanning } from './catFixtures.ts';
import { writeImageFolder } from './imageExperimentsFixtures.ts';

test('CAT check counts landmark files', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cat-check-'));
  try {
    const folder = path.join(dir, 'cat');
    await writeImageFolder(folder, 4);
    await writeFile(path.join(folder, 'image0.png.cat'), catLine(pointsSpanning(1, 20, 1, 20)));
    await writeFile(path.join(folder, 'image1.jpg.cat'), '9 1 2 3');
    const status = await checkDataset('cat', folder);
    assert.is(status.files, 4);
    assert.is(status.landmarkFiles, 2);
    assert.ok(status.complete, JSON.stringify(status));
    assert.is(status.notes[0], '2 of 4 images have a .cat landmark file; the face crop skips 3: 2 without one and 1 with a malformed one');
    assert.match(status.notes[1], /malformed, skipped by the face crop: landmark file .*image1\.jpg\.cat: it has 3 coordinates after the count, expected 18/);

    await mkdir(path.join(dir, 'ffhq'));
    await writeImageFolder(path.join(dir, 'ffhq'), 1);
    const ffhq = await checkDataset('ffhq', path.join(dir, 'ffhq'));
    assert.is(ffhq.landmarkFiles, undefined);
    assert.equal(ffhq.notes, []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();

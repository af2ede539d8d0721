/**
 * Seconds to prepare an image folder's cache on one thread and on one worker thread per
 * core, for a folder of generated PNGs (default 200 of 256², prepared at 128²). Both runs
 * must write the same bytes. The script prints whether they do, and exits with 1 when not.
 *
 * npx tsx bench/imagePreparation.ts [IMAGES] [SIDE_OF_PNGS] [CACHE_SIDE]
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { prepareImageFolder } from '../experiments/image-datasets/imageSource.ts';
import { seededUniform } from '../src/data/seededUniform.ts';

const [images = 200, pngSide = 256, cacheSide = 128] = process.argv.slice(2).map(Number);

/** Writes `count` PNGs of smooth colour gradients plus noise, so they compress like photos, not like noise. */
async function writePngs(folder: string, count: number, side: number): Promise<void> {
  await mkdir(folder, { recursive: true });
  const random = seededUniform(count);
  for (let n = 0; n < count; n++) {
    const png = new PNG({ width: side, height: side });
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const offset = (y * side + x) * 4;
        png.data[offset] = (x + n) % 256;
        png.data[offset + 1] = (y * 2 + n) % 256;
        png.data[offset + 2] = Math.floor(random() * 64) + ((x + y) % 192);
        png.data[offset + 3] = 255;
      }
    }
    await writeFile(path.join(folder, `image${String(n).padStart(5, '0')}.png`), PNG.sync.write(png));
  }
}

async function timePreparation(folder: string, cacheDir: string, workers: number): Promise<{ seconds: number; bytes: Buffer }> {
  const started = performance.now();
  const file = await prepareImageFolder(folder, { side: cacheSide, cacheDir, name: 'bench', workers });
  return { seconds: (performance.now() - started) / 1000, bytes: await readFile(file) };
}

const directory = await mkdtemp(path.join(os.tmpdir(), 'bench-image-preparation-'));
try {
  const folder = path.join(directory, 'images');
  await writePngs(folder, images, pngSide);
  const cores = os.availableParallelism();
  const serial = await timePreparation(folder, path.join(directory, 'serial'), 1);
  const parallel = await timePreparation(folder, path.join(directory, 'parallel'), cores);
  const load = os.loadavg()[0];
  console.log(`${images} PNGs of ${pngSide}² prepared at ${cacheSide}², node ${process.version}, ${cores} cores, load average ${load.toFixed(1)}`);
  console.log(`1 thread:            ${serial.seconds.toFixed(2)} s (${((serial.seconds / images) * 1000).toFixed(1)} ms per image)`);
  console.log(`${String(cores).padEnd(2)} worker threads:   ${parallel.seconds.toFixed(2)} s (${((parallel.seconds / images) * 1000).toFixed(1)} ms per image), speed-up ${(serial.seconds / parallel.seconds).toFixed(2)}×`);
  const same = serial.bytes.equals(parallel.bytes);
  console.log(same ? 'the two caches are byte-identical' : 'the two caches differ');
  if (!same) process.exitCode = 1;
} finally {
  await rm(directory, { recursive: true, force: true });
}

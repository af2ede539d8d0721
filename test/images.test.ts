import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import jpeg from 'jpeg-js';
import {
  axisTaps,
  centerCropSquare,
  decodeImage,
  imageBatches,
  listImageFiles,
  prepareImage,
  resizeImage,
  shuffleWithSeed,
  toChannels,
  type ImageBatch,
  type PixelImage,
} from '../src/data/images.ts';

/** 2×1 grayscale PNG (colour type 0), pixels [0, 255]. */
const GRAY_PNG =
  '89504e470d0a1a0a0000000d4948445200000002000000010800000000d14920560000000b4944415478da6360f80f0001020100d11acb8f0000000049454e44ae426082';
/** 2×1 RGBA PNG (colour type 6), pixels (255,0,0,255) and (0,0,255,0). */
const RGBA_PNG =
  '89504e470d0a1a0a0000000d4948445200000002000000010806000000f4227f8a0000000d4944415478da63f8cfc00046000efa02fe2a405eb90000000049454e44ae426082';

function hexBytes(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

function pixelRows(image: PixelImage): number[][] {
  const rows: number[][] = [];
  for (let p = 0; p < image.width * image.height; p++) {
    rows.push(Array.from(image.data.subarray(p * image.channels, (p + 1) * image.channels)));
  }
  return rows;
}

/** Builds a PNG chunk by chunk, so colour types pngjs cannot write (palette, 16-bit) are covered. */
function buildPng(width: number, height: number, bitDepth: number, colorType: number, rows: number[][], extra: [string, Uint8Array][] = []): Uint8Array {
  const chunk = (type: string, data: Uint8Array): Buffer => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), Buffer.from(data)]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = bitDepth;
  header[9] = colorType;
  const raw = Buffer.concat(rows.map((row) => Buffer.from([0, ...row]))); // filter type 0 per row
  return new Uint8Array(
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', header),
      ...extra.map(([type, data]) => chunk(type, data)),
      chunk('IDAT', zlib.deflateSync(raw)),
      chunk('IEND', new Uint8Array()),
    ]),
  );
}

/** 2×1 palette PNG: entries red and half-transparent blue. */
function palettePng(): Uint8Array {
  const palette = new Uint8Array([255, 0, 0, 0, 0, 255]);
  const transparency = new Uint8Array([255, 128]);
  return buildPng(2, 1, 8, 3, [[0, 1]], [['PLTE', palette], ['tRNS', transparency]]);
}

test('gray and RGBA PNGs decode to RGB', () => {
  const gray = toChannels(decodeImage(hexBytes(GRAY_PNG), 'gray.png'), 3);
  const rgba = toChannels(decodeImage(hexBytes(RGBA_PNG), 'rgba.png'), 3);

  assert.equal([gray.width, gray.height, gray.channels], [2, 1, 3]);
  assert.equal(pixelRows(gray), [[0, 0, 0], [255, 255, 255]]);
  assert.equal([rgba.width, rgba.height, rgba.channels], [2, 1, 3]);
  assert.equal(pixelRows(rgba), [[255, 0, 0], [0, 0, 255]]);
});

test('gray and RGBA PNGs reduce to luma', () => {
  const gray = toChannels(decodeImage(hexBytes(GRAY_PNG), 'gray.png'), 1);
  const rgba = toChannels(decodeImage(hexBytes(RGBA_PNG), 'rgba.png'), 1);

  assert.equal(Array.from(gray.data), [0, 255]);
  // 0.299·255 = 76.245 and 0.114·255 = 29.07; averaging all four RGBA bytes would give 127.5, 63.75.
  assert.equal(Array.from(rgba.data), [76, 29]);
});

test('palette and 16-bit PNGs decode', () => {
  const palette = toChannels(decodeImage(palettePng(), 'palette.png'), 3);
  assert.equal(pixelRows(palette), [[255, 0, 0], [0, 0, 255]]);

  const deep = buildPng(2, 1, 16, 0, [[0x00, 0x00, 0xff, 0xff]]);
  const gray16 = toChannels(decodeImage(deep, 'gray16.png'), 3);
  assert.equal(pixelRows(gray16), [[0, 0, 0], [255, 255, 255]]);
});

test('grayscale JPEG decodes to equal RGB', () => {
  const rgba = new Uint8Array(8 * 8 * 4);
  for (let p = 0; p < 64; p++) rgba.set([90, 90, 90, 255], 4 * p);
  const encoded = jpeg.encode({ width: 8, height: 8, data: rgba }, 95).data;
  const decoded = toChannels(decodeImage(new Uint8Array(encoded), 'flat.jpg'), 3);

  assert.equal([decoded.width, decoded.height], [8, 8]);
  for (const value of decoded.data) assert.ok(Math.abs(value - 90) <= 2, `JPEG pixel ${value}, expected 90 ± 2`);
});

test('decoding rejects unknown and corrupt files', () => {
  assert.throws(() => decodeImage(new Uint8Array([1, 2, 3, 4]), 'notes.png'), /notes\.png: not a PNG or JPEG/);
  const truncated = hexBytes(GRAY_PNG).slice(0, 40);
  assert.throws(() => decodeImage(truncated, 'cut.png'), /cut\.png: PNG decoding failed/);
});

test('centre crop keeps the middle square', () => {
  const image: PixelImage = { width: 4, height: 2, channels: 1, data: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]) };
  const square = centerCropSquare(image);
  assert.equal([square.width, square.height], [2, 2]);
  assert.equal(Array.from(square.data), [2, 3, 6, 7]);

  const tall: PixelImage = { width: 1, height: 3, channels: 1, data: new Uint8Array([1, 2, 3]) };
  assert.equal(Array.from(centerCropSquare(tall).data), [2]);
});

test('area resize averages covered pixels', () => {
  // 3 → 2: output 0 covers [0, 1.5) = ⅔·a + ⅓·b; output 1 covers [1.5, 3) = ⅓·b + ⅔·c.
  const row: PixelImage = { width: 3, height: 1, channels: 1, data: new Uint8Array([0, 30, 60]) };
  const shrunk = resizeImage(row, 2, 1);
  assert.ok(Math.abs(shrunk[0] - 10) < 1e-4, `out0 = ${shrunk[0]}`);
  assert.ok(Math.abs(shrunk[1] - 50) < 1e-4, `out1 = ${shrunk[1]}`);

  // 4×4 → 2×2 by whole blocks: each output is the mean of its 2×2 block.
  const data = new Uint8Array(16).map((_, i) => i * 10);
  const blocks = resizeImage({ width: 4, height: 4, channels: 1, data }, 2, 2);
  const expected = [(0 + 10 + 40 + 50) / 4, (20 + 30 + 60 + 70) / 4, (80 + 90 + 120 + 130) / 4, (100 + 110 + 140 + 150) / 4];
  for (let i = 0; i < 4; i++) assert.ok(Math.abs(blocks[i] - expected[i]) < 1e-4, `block ${i}: ${blocks[i]} vs ${expected[i]}`);
});

test('bilinear resize uses half-pixel centres', () => {
  // 2 → 4: source positions (o + ½)·½ − ½ = −¼, ¼, ¾, 1¼, clamped to [0, 1].
  const row: PixelImage = { width: 2, height: 1, channels: 1, data: new Uint8Array([0, 100]) };
  const grown = resizeImage(row, 4, 1);
  assert.equal(Array.from(grown), [0, 25, 75, 100]);
});

test('resampling weights sum to one', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 700 }), fc.integer({ min: 1, max: 600 }), (inputSize, outputSize) => {
      for (const { weights, indices } of axisTaps(inputSize, outputSize)) {
        const sum = weights.reduce((a, b) => a + b, 0);
        if (Math.abs(sum - 1) > 1e-9) return false;
        if (indices.some((i) => i < 0 || i >= inputSize)) return false;
      }
      return true;
    }),
    { numRuns: 200 },
  );
});

test('prepared image is scaled to [−1, 1]', () => {
  const rgba = prepareImage(hexBytes(RGBA_PNG), 'rgba.png', 32, 3);
  assert.is(rgba.length, 32 * 32 * 3);
  // The 2×1 image crops to its left pixel (255, 0, 0), then grows to 32 × 32.
  for (let p = 0; p < 32 * 32; p++) {
    assert.equal(Array.from(rgba.subarray(3 * p, 3 * p + 3)), [1, -1, -1]);
  }
  assert.throws(() => prepareImage(hexBytes(RGBA_PNG), 'rgba.png', 16, 3), /size must be an integer from 32 to 512 pixels, received 16/);
  assert.throws(() => prepareImage(hexBytes(RGBA_PNG), 'rgba.png', 32, 4 as 3), /channels must be 1 or 3, received 4/);
});

test('seeded shuffle is a fixed permutation', () => {
  const items = Array.from({ length: 20 }, (_, i) => i);
  const first = shuffleWithSeed(items, 0);
  assert.equal(shuffleWithSeed(items, 0), first);
  assert.equal([...first].sort((a, b) => a - b), items);
  assert.not.equal(shuffleWithSeed(items, 1), first);
});

async function makeMixedFolder(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'images-'));
  await mkdir(path.join(dir, 'nested'));
  await writeFile(path.join(dir, 'gray.png'), hexBytes(GRAY_PNG));
  await writeFile(path.join(dir, 'rgba.PNG'), hexBytes(RGBA_PNG));
  await writeFile(path.join(dir, 'nested', 'palette.png'), palettePng());
  const rgba = new Uint8Array(40 * 30 * 4).fill(200);
  await writeFile(path.join(dir, 'nested', 'photo.jpeg'), jpeg.encode({ width: 40, height: 30, data: rgba }, 90).data);
  await writeFile(path.join(dir, 'readme.txt'), 'not an image');
  return dir;
}

async function collect(iterator: AsyncGenerator<ImageBatch>): Promise<ImageBatch[]> {
  const batches: ImageBatch[] = [];
  for await (const batch of iterator) batches.push(batch);
  return batches;
}

test('mixed folder yields one image shape', async () => {
  const dir = await makeMixedFolder();
  try {
    const files = await listImageFiles(dir);
    assert.is(files.length, 4);

    for (const channels of [3, 1] as const) {
      const batches = await collect(imageBatches(dir, { size: 32, channels, batchSize: 3, seed: 7 }));
      assert.equal(batches.map((b) => b.shape), [[3, 32, 32, channels], [1, 32, 32, channels]]);
      assert.equal(batches.flatMap((b) => b.files).sort(), files);
      for (const batch of batches) {
        assert.is(batch.pixels.length, batch.shape[0] * 32 * 32 * channels);
        for (const value of batch.pixels) assert.ok(value >= -1 && value <= 1, `pixel ${value} outside [−1, 1]`);
      }
    }

    const again = await collect(imageBatches(dir, { size: 32, batchSize: 3, seed: 7 }));
    const other = await collect(imageBatches(dir, { size: 32, batchSize: 4, seed: 8 }));
    const firstOrder = (await collect(imageBatches(dir, { size: 32, batchSize: 4, seed: 7 })))[0].files;
    assert.equal(again.flatMap((b) => b.files), firstOrder);
    assert.not.equal(other[0].files, firstOrder);

    const dropped = await collect(imageBatches(dir, { size: 32, batchSize: 3, seed: 7, dropRemainder: true }));
    assert.is(dropped.length, 1);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('corrupt file fails or is skipped', async () => {
  const dir = await makeMixedFolder();
  try {
    const broken = path.join(dir, 'broken.png');
    await writeFile(broken, hexBytes(GRAY_PNG).slice(0, 45));

    let message = '';
    try {
      await collect(imageBatches(dir, { size: 32, batchSize: 2, seed: 1 }));
    } catch (error) {
      message = (error as Error).message;
    }
    assert.ok(message.includes(broken), `error names the file: ${message}`);

    const warnings: string[] = [];
    const batches = await collect(
      imageBatches(dir, { size: 32, batchSize: 2, seed: 1, onUnreadable: 'skip', warn: (m) => warnings.push(m) }),
    );
    assert.equal(batches.map((b) => b.shape[0]), [2, 2]);
    assert.is(warnings.length, 1);
    assert.ok(warnings[0].includes(broken), warnings[0]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();

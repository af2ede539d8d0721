import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  CIFAR10_BATCH_FILE_BYTES,
  CIFAR10_RECORD_BYTES,
  CIFAR10_TEST_FILE,
  CIFAR10_TRAIN_FILES,
  cifarRecordCount,
  decodeCifarBatch,
  readCifar10,
} from '../src/data/cifar10.ts';

/** Builds the layout case's record: label 7, R = 10 with two marked pixels, G = 20, B = 30 with one. */
function layoutCaseRecord(): Uint8Array {
  const record = new Uint8Array(CIFAR10_RECORD_BYTES);
  record[0] = 7;
  record.fill(10, 1, 1 + 1024);
  record.fill(20, 1 + 1024, 1 + 2048);
  record.fill(30, 1 + 2048, 1 + 3072);
  record[1 + 0 * 32 + 1] = 200; // R(row 0, col 1)
  record[1 + 1 * 32 + 0] = 100; // R(row 1, col 0)
  record[1 + 2048 + 31 * 32 + 31] = 255; // B(31, 31)
  return record;
}

function pixelAt(pixels: Uint8Array, image: number, row: number, col: number): number[] {
  const start = ((image * 32 + row) * 32 + col) * 3;
  return Array.from(pixels.subarray(start, start + 3));
}

test('cifar record planes map to NHWC pixels', () => {
  const decoded = decodeCifarBatch(layoutCaseRecord(), 'case.bin', { allowShortBatches: true });

  assert.is(decoded.count, 1);
  assert.is(decoded.labels[0], 7);
  assert.equal(pixelAt(decoded.pixels, 0, 0, 0), [10, 20, 30]);
  assert.equal(pixelAt(decoded.pixels, 0, 0, 1), [200, 20, 30]);
  assert.equal(pixelAt(decoded.pixels, 0, 1, 0), [100, 20, 30]);
  assert.equal(pixelAt(decoded.pixels, 0, 31, 31), [10, 20, 255]);
});

test('cifar batch file must be 30 730 000 bytes', () => {
  assert.is(CIFAR10_BATCH_FILE_BYTES, 30_730_000);
  assert.is(cifarRecordCount(30_730_000, 'full.bin'), 10_000);
  assert.throws(() => cifarRecordCount(3073 * 2, 'short.bin'), /short\.bin.*expected 30730000/);
  assert.is(cifarRecordCount(3073 * 2, 'short.bin', { allowShortBatches: true }), 2);
  assert.throws(
    () => cifarRecordCount(3073 * 10_001, 'long.bin', { allowShortBatches: true }),
    /long\.bin.*at most 10000/,
  );
});

test('cifar rejects lengths that are not whole records', () => {
  assert.throws(() => cifarRecordCount(3073 * 3 + 1, 'odd.bin', { allowShortBatches: true }), /odd\.bin.*9220 bytes/);
  assert.throws(() => cifarRecordCount(0, 'empty.bin', { allowShortBatches: true }), /empty\.bin/);
  // 3074 × 3073 is a multiple of both record sizes, so use 3074 × 5: only CIFAR-100's.
  assert.throws(() => cifarRecordCount(3074 * 5, 'c100.bin', { allowShortBatches: true }), /c100\.bin.*CIFAR-100/);
});

test('cifar rejects labels above 9', () => {
  const bytes = new Uint8Array(CIFAR10_RECORD_BYTES * 2);
  bytes[CIFAR10_RECORD_BYTES] = 10;
  assert.throws(
    () => decodeCifarBatch(bytes, 'labels.bin', { allowShortBatches: true }),
    /labels\.bin: record 1 has label 10/,
  );
});

test('cifar reads a split and scales to [−1, 1]', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cifar-'));
  try {
    const record = layoutCaseRecord();
    for (const [index, name] of [...CIFAR10_TRAIN_FILES, CIFAR10_TEST_FILE].entries()) {
      const batch = new Uint8Array(CIFAR10_RECORD_BYTES * 2);
      batch.set(record, 0);
      batch.set(record, CIFAR10_RECORD_BYTES);
      batch[CIFAR10_RECORD_BYTES] = index; // the second record's label identifies the file
      await writeFile(path.join(dir, name), batch);
    }

    const train = await readCifar10(dir, 'train', { allowShortBatches: true });
    assert.is(train.count, 10);
    assert.equal(train.shape, [10, 32, 32, 3]);
    assert.equal(Array.from(train.labels), [7, 0, 7, 1, 7, 2, 7, 3, 7, 4]);
    const images = train.images([0, 9]);
    assert.is(images.length, 2 * 3072);
    assert.ok(Math.abs(images[0] - (10 / 127.5 - 1)) < 1e-7, `R(0,0) scaled: ${images[0]}`);
    assert.ok(Math.abs(images[3 * 1 + 0] - (200 / 127.5 - 1)) < 1e-7, `R(0,1) scaled: ${images[3]}`);
    assert.is(images[3072 + 3071], 1, 'B(31,31) = 255 scales to 1');
    assert.throws(() => train.images([10]), /index 10/);

    const testSplit = await readCifar10(dir, 'test', { allowShortBatches: true });
    assert.equal(Array.from(testSplit.labels), [7, 5]);

    await expectRejection(readCifar10(dir, 'train'), /data_batch_1\.bin: length 6146 bytes/);
    await rm(path.join(dir, 'data_batch_3.bin'));
    await expectRejection(readCifar10(dir, 'train', { allowShortBatches: true }), /data_batch_3\.bin is missing/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

async function expectRejection(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  try {
    await promise;
  } catch (error) {
    assert.match((error as Error).message, pattern);
    return;
  }
  assert.unreachable(`expected a rejection matching ${pattern}`);
}

test.run();

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { IdxFormatError, idxMagic, parseIdx, readIdxFile } from '../src/data/idx.ts';

const directory = mkdtempSync(path.join(tmpdir(), 'idx-test-'));

function writeBytes(name: string, bytes: number[]): string {
  const file = path.join(directory, name);
  writeFileSync(file, Uint8Array.from(bytes));
  return file;
}

function throwsIdx(run: () => unknown, pattern: RegExp, source: string): void {
  try {
    run();
  } catch (error) {
    assert.instance(error, IdxFormatError);
    assert.is((error as IdxFormatError).source, source);
    assert.match((error as Error).message, pattern);
    return;
  }
  assert.unreachable(`expected an IdxFormatError matching ${pattern}`);
}

test('label file: magic 2049, count 2, labels [7, 3]', () => {
  const file = writeBytes('labels', [0x00, 0x00, 0x08, 0x01, 0x00, 0x00, 0x00, 0x02, 0x07, 0x03]);

  const labels = readIdxFile(file);

  assert.is(labels.magic, 2049);
  assert.is(labels.dataType, 'uint8');
  assert.equal(labels.shape, [2]);
  assert.equal(Array.from(labels.data), [7, 3]);
});

test('header sizes read big-endian: 60000, not 1625948160', () => {
  const header = [0x00, 0x00, 0x08, 0x01, 0x00, 0x00, 0xea, 0x60];
  const bytes = new Uint8Array(header.length + 60000);
  bytes.set(header);

  const labels = parseIdx(bytes);

  assert.is(labels.magic, 2049);
  assert.equal(labels.shape, [60000]);
  assert.is(bytes.length, 60008);
});

test('image file: two 2×2 images, row-major', () => {
  const file = writeBytes('images', [
    0x00, 0x00, 0x08, 0x03, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2,
    0x00, 0xff, 0x80, 0x01, 0x02, 0x03, 0x04, 0x05,
  ]);

  const images = readIdxFile(file, { dataType: 'uint8', rank: 3 });

  assert.is(images.magic, 2051);
  assert.equal(images.shape, [2, 2, 2]);
  assert.equal(Array.from(images.data.subarray(0, 4)), [0, 255, 128, 1]);
  assert.equal(Array.from(images.data.subarray(4, 8)), [2, 3, 4, 5]);
});

test('multi-byte elements read big-endian', () => {
  const int32 = parseIdx(Uint8Array.from([0, 0, 0x0c, 1, 0, 0, 0, 2, 0x00, 0x00, 0x01, 0x00, 0xff, 0xff, 0xff, 0xfe]));
  const float32 = parseIdx(Uint8Array.from([0, 0, 0x0d, 1, 0, 0, 0, 1, 0x3f, 0xc0, 0x00, 0x00]));

  assert.equal(Array.from(int32.data), [256, -2]);
  assert.equal(Array.from(float32.data), [1.5]);
});

test('full-size MNIST file lengths follow from the header', () => {
  assert.is(16 + 60000 * 28 * 28, 47_040_016);
  assert.is(idxMagic('uint8', 3), 2051);
  assert.is(idxMagic('uint8', 1), 2049);
});

test('gzip file rejected with a hint to gunzip', () => {
  const file = writeBytes('images.gz', [0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0]);

  throwsIdx(() => readIdxFile(file), /gzip.*gunzip it first/, file);
});

test('truncated payload rejected with the sizes', () => {
  const file = writeBytes('short', [0, 0, 0x08, 0x03, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3]);

  throwsIdx(() => readIdxFile(file), /truncated.*\[2, 2, 2\].*8 payload bytes.*only 3/, file);
});

test('truncated header rejected', () => {
  const file = writeBytes('header', [0, 0, 0x08, 0x03, 0, 0, 0, 2]);

  throwsIdx(() => readIdxFile(file), /truncated: the header of a rank-3 file needs 16 bytes/, file);
});

test('bytes after the payload rejected', () => {
  const file = writeBytes('long', [0, 0, 0x08, 0x01, 0, 0, 0, 1, 5, 6]);

  throwsIdx(() => readIdxFile(file), /1 bytes after the payload/, file);
});

test('wrong magic number rejected', () => {
  const file = writeBytes('magic', [0x12, 0x34, 0x08, 0x01, 0, 0, 0, 0]);

  throwsIdx(() => readIdxFile(file), /invalid magic number 305399809/, file);
});

test('unknown type code rejected', () => {
  throwsIdx(() => parseIdx(Uint8Array.from([0, 0, 0x07, 0x01, 0, 0, 0, 0]), 'memory'), /invalid magic number 1793/, 'memory');
});

test('label magic in an image file rejected', () => {
  const file = writeBytes('labels-as-images', [0, 0, 0x08, 0x01, 0, 0, 0, 2, 7, 3]);

  throwsIdx(() => readIdxFile(file, { dataType: 'uint8', rank: 3 }), /rank 1 \(magic 2049\), expected rank 3 \(magic 2051\)/, file);
});

test('missing file named in the error', () => {
  const file = path.join(directory, 'absent');

  throwsIdx(() => readIdxFile(file), /could not be read/, file);
});

test.after(() => rmSync(directory, { recursive: true, force: true }));

test.run();

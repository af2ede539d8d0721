/**
 * Reader for the IDX format of the MNIST files (LeCun and Cortes, "The MNIST database of
 * handwritten digits"). A file is a 4-byte magic number, one 32-bit size per dimension and
 * the payload, all big-endian ("MSB first"):
 *
 *   magic = 0x00 0x00 <type code> <rank>, so 2049 = 0x0801 (uint8, rank 1: labels) and
 *   2051 = 0x0803 (uint8, rank 3: images); payload = ∏ sizes × bytes per element.
 *
 * Every error names the file and what was wrong with it, because a corrupt or compressed
 * download is the usual cause.
 */
import { readFileSync } from 'node:fs';

export type IdxDataType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** A tensor read from an IDX file: row-major data with its shape. */
export interface IdxArray {
  magic: number;
  dataType: IdxDataType;
  shape: number[];
  data: IdxData;
}

/** Expected data type and rank, so that a label file passed as images is rejected. */
export interface IdxExpectation {
  dataType?: IdxDataType;
  rank?: number;
}

const TYPE_CODES: Record<number, { dataType: IdxDataType; bytes: number }> = {
  0x08: { dataType: 'uint8', bytes: 1 },
  0x09: { dataType: 'int8', bytes: 1 },
  0x0b: { dataType: 'int16', bytes: 2 },
  0x0c: { dataType: 'int32', bytes: 4 },
  0x0d: { dataType: 'float32', bytes: 4 },
  0x0e: { dataType: 'float64', bytes: 8 },
};

/** First two bytes of every gzip stream (RFC 1952). */
const GZIP_SIGNATURE = [0x1f, 0x8b];

/** Error for an IDX file that cannot be read. `source` is its path, or a label for in-memory bytes. */
export class IdxFormatError extends Error {
  readonly source: string;

  constructor(source: string, problem: string) {
    super(`IDX file ${source}: ${problem}`);
    this.name = 'IdxFormatError';
    this.source = source;
  }
}

/** Returns the magic number for a data type and rank, e.g. 2051 for uint8 rank 3. */
export function idxMagic(dataType: IdxDataType, rank: number): number {
  const code = Number(Object.keys(TYPE_CODES).find((key) => TYPE_CODES[Number(key)].dataType === dataType));
  return (code << 8) | rank;
}

/**
 * Parses IDX bytes. Sizes and multi-byte elements are read big-endian; the payload must
 * have exactly the length the header announces.
 */
export function parseIdx(bytes: Uint8Array, source = '(bytes)', expected: IdxExpectation = {}): IdxArray {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(`parseIdx: bytes must be a Uint8Array, received ${typeof bytes}`);
  }
  if (bytes.length >= 2 && bytes[0] === GZIP_SIGNATURE[0] && bytes[1] === GZIP_SIGNATURE[1]) {
    throw new IdxFormatError(source, 'is gzip-compressed (starts with 1F 8B); gunzip it first');
  }
  if (bytes.length < 4) {
    throw new IdxFormatError(source, `is truncated: ${bytes.length} bytes, shorter than the 4-byte magic number`);
  }

  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  const typeCode = bytes[2];
  const rank = bytes[3];
  const type = TYPE_CODES[typeCode];
  if (bytes[0] !== 0 || bytes[1] !== 0 || type === undefined || rank === 0) {
    throw new IdxFormatError(
      source,
      `invalid magic number ${magic} (0x${magic.toString(16).padStart(8, '0')}); expected 00 00, ` +
        'a type code (08 uint8, 09 int8, 0B int16, 0C int32, 0D float32, 0E float64) and a rank ≥ 1',
    );
  }
  if (expected.dataType !== undefined && expected.dataType !== type.dataType) {
    throw new IdxFormatError(
      source,
      `holds ${type.dataType} data (magic ${magic}), expected ${expected.dataType} ` +
        `(magic ${idxMagic(expected.dataType, expected.rank ?? rank)})`,
    );
  }
  if (expected.rank !== undefined && expected.rank !== rank) {
    throw new IdxFormatError(
      source,
      `has rank ${rank} (magic ${magic}), expected rank ${expected.rank} ` +
        `(magic ${idxMagic(type.dataType, expected.rank)}); is it a label file where images were expected, or the reverse?`,
    );
  }

  const headerLength = 4 + 4 * rank;
  if (bytes.length < headerLength) {
    throw new IdxFormatError(
      source,
      `is truncated: the header of a rank-${rank} file needs ${headerLength} bytes, the file has ${bytes.length}`,
    );
  }
  const shape: number[] = [];
  for (let axis = 0; axis < rank; axis++) shape.push(view.getUint32(4 + 4 * axis, false));

  const elements = shape.reduce((product, size) => product * size, 1);
  const payloadLength = elements * type.bytes;
  const present = bytes.length - headerLength;
  if (present < payloadLength) {
    throw new IdxFormatError(
      source,
      `is truncated: the header announces shape [${shape.join(', ')}] of ${type.dataType}, ` +
        `${payloadLength} payload bytes, but only ${present} follow the header`,
    );
  }
  if (present > payloadLength) {
    throw new IdxFormatError(
      source,
      `has ${present - payloadLength} bytes after the payload of shape [${shape.join(', ')}] ` +
        `(${payloadLength} bytes); the sizes in the header do not match the file`,
    );
  }

  return { magic, dataType: type.dataType, shape, data: readPayload(view, headerLength, elements, type.dataType) };
}

function readPayload(view: DataView, offset: number, elements: number, dataType: IdxDataType): IdxData {
  switch (dataType) {
    case 'uint8':
      return new Uint8Array(view.buffer.slice(view.byteOffset + offset, view.byteOffset + offset + elements));
    case 'int8':
      return new Int8Array(view.buffer.slice(view.byteOffset + offset, view.byteOffset + offset + elements));
    case 'int16': {
      const data = new Int16Array(elements);
      for (let i = 0; i < elements; i++) data[i] = view.getInt16(offset + 2 * i, false);
      return data;
    }
    case 'int32': {
      const data = new Int32Array(elements);
      for (let i = 0; i < elements; i++) data[i] = view.getInt32(offset + 4 * i, false);
      return data;
    }
    case 'float32': {
      const data = new Float32Array(elements);
      for (let i = 0; i < elements; i++) data[i] = view.getFloat32(offset + 4 * i, false);
      return data;
    }
    case 'float64': {
      const data = new Float64Array(elements);
      for (let i = 0; i < elements; i++) data[i] = view.getFloat64(offset + 8 * i, false);
      return data;
    }
  }
}

/** Reads and parses an IDX file. Every error names the path. */
export function readIdxFile(path: string, expected: IdxExpectation = {}): IdxArray {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new IdxFormatError(path, `could not be read (${reason})`);
  }
  return parseIdx(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path, expected);
}

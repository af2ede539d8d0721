/**
 * Checkpoint files: a run's step, its tensors (network variables and state, both players'
 * Adam moments) and their step counts, in one binary file.
 *
 * Layout: the 8 ASCII bytes "GANCKPT1", a uint32 (little-endian) header length, the UTF-8
 * JSON header, zero padding to a multiple of 4 bytes, then every tensor's float32 values
 * (little-endian) back to back in header order. The file is written under a temporary name,
 * flushed and renamed, so a crash leaves either the old or the new checkpoint, never a torn one.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AdamState } from './adam.ts';
import type { TrainerState } from './ganTrainer.ts';

const MAGIC = 'GANCKPT1';
const FORMAT_VERSION = 1;
/** On a little-endian host a Float32Array's bytes are the file's bytes and copy as a block. */
const LITTLE_ENDIAN_HOST = os.endianness() === 'LE';

export interface Checkpoint {
  /** Last completed training step. */
  step: number;
  /** Run seed; with `step` it fixes every later random draw (see seeds.ts). */
  seed: number;
  trainer: TrainerState;
}

interface TensorEntry {
  key: string;
  length: number;
}

interface Header {
  version: number;
  step: number;
  seed: number;
  generatorAdamSteps: number[];
  discriminatorAdamSteps: number[];
  tensors: TensorEntry[];
}

function flatten(state: TrainerState): [string, Float32Array][] {
  const named = (prefix: string, arrays: Float32Array[]) =>
    arrays.map((values, i): [string, Float32Array] => [`${prefix}/${i}`, values]);
  const adam = (prefix: string, adamState: AdamState) => [
    ...named(`${prefix}/m`, adamState.m),
    ...named(`${prefix}/v`, adamState.v),
  ];
  return [
    ...named('generator', state.generator),
    ...named('discriminator', state.discriminator),
    ...named('generatorState', state.generatorState),
    ...named('discriminatorState', state.discriminatorState),
    ...adam('generatorAdam', state.generatorAdam),
    ...adam('discriminatorAdam', state.discriminatorAdam),
  ];
}

/** Serialises a checkpoint to the binary layout above. */
export function encodeCheckpoint(checkpoint: Checkpoint): Buffer {
  const tensors = flatten(checkpoint.trainer);
  const header: Header = {
    version: FORMAT_VERSION,
    step: checkpoint.step,
    seed: checkpoint.seed,
    generatorAdamSteps: checkpoint.trainer.generatorAdam.steps,
    discriminatorAdamSteps: checkpoint.trainer.discriminatorAdam.steps,
    tensors: tensors.map(([key, values]) => ({ key, length: values.length })),
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const headerEnd = 12 + headerBytes.length;
  const payloadStart = Math.ceil(headerEnd / 4) * 4;
  const payloadLength = tensors.reduce((sum, [, values]) => sum + values.length * 4, 0);
  const buffer = Buffer.alloc(payloadStart + payloadLength);
  buffer.write(MAGIC, 0, 'ascii');
  buffer.writeUInt32LE(headerBytes.length, 8);
  headerBytes.copy(buffer, 12);
  let offset = payloadStart;
  for (const [, values] of tensors) {
    if (LITTLE_ENDIAN_HOST) {
      Buffer.from(values.buffer, values.byteOffset, values.byteLength).copy(buffer, offset);
      offset += values.byteLength;
    } else {
      for (let i = 0; i < values.length; i++, offset += 4) buffer.writeFloatLE(values[i], offset);
    }
  }
  return buffer;
}

/**
 * Parses the magic bytes and the JSON header at the start of `buffer`, which may hold the
 * whole file or only its start. Returns the header and the offset of the first tensor.
 */
function decodeHeader(buffer: Buffer, source: string): { header: Header; payloadStart: number } {
  if (buffer.length < 12 || buffer.toString('ascii', 0, 8) !== MAGIC) {
    throw new Error(`${source}: not a checkpoint file (expected the magic bytes "${MAGIC}")`);
  }
  const headerLength = buffer.readUInt32LE(8);
  if (12 + headerLength > buffer.length) {
    throw new Error(`${source}: truncated header (${headerLength} bytes announced, ${buffer.length - 12} present)`);
  }
  const header = JSON.parse(buffer.toString('utf8', 12, 12 + headerLength)) as Header;
  if (header.version !== FORMAT_VERSION) {
    throw new Error(`${source}: format version ${header.version} is not supported (expected ${FORMAT_VERSION})`);
  }
  return { header, payloadStart: Math.ceil((12 + headerLength) / 4) * 4 };
}

/** Parses a checkpoint written by `encodeCheckpoint`; throws naming what is wrong. */
export function decodeCheckpoint(buffer: Buffer, source = 'checkpoint'): Checkpoint {
  const { header, payloadStart } = decodeHeader(buffer, source);
  let offset = payloadStart;
  const expectedLength = offset + header.tensors.reduce((sum, entry) => sum + entry.length * 4, 0);
  if (buffer.length !== expectedLength) {
    throw new Error(`${source}: expected ${expectedLength} bytes, found ${buffer.length}`);
  }
  const byKey = new Map<string, Float32Array>();
  for (const entry of header.tensors) {
    const values = new Float32Array(entry.length);
    if (LITTLE_ENDIAN_HOST) {
      buffer.copy(Buffer.from(values.buffer), 0, offset, offset + values.byteLength);
      offset += values.byteLength;
    } else {
      for (let i = 0; i < entry.length; i++, offset += 4) values[i] = buffer.readFloatLE(offset);
    }
    byKey.set(entry.key, values);
  }
  const list = (prefix: string) => {
    const arrays: Float32Array[] = [];
    for (let i = 0; byKey.has(`${prefix}/${i}`); i++) arrays.push(byKey.get(`${prefix}/${i}`)!);
    return arrays;
  };
  return {
    step: header.step,
    seed: header.seed,
    trainer: {
      generator: list('generator'),
      discriminator: list('discriminator'),
      generatorState: list('generatorState'),
      discriminatorState: list('discriminatorState'),
      generatorAdam: { steps: header.generatorAdamSteps, m: list('generatorAdam/m'), v: list('generatorAdam/v') },
      discriminatorAdam: {
        steps: header.discriminatorAdamSteps,
        m: list('discriminatorAdam/m'),
        v: list('discriminatorAdam/v'),
      },
    },
  };
}

/**
 * Writes `contents` to `file` through a temporary file in the same folder: write, flush to
 * disk, rename. A reader sees the old file or the new one.
 */
export async function writeFileAtomic(file: string, contents: Buffer | string): Promise<void> {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  const handle = await fs.open(temporary, 'w');
  try {
    await handle.writeFile(contents);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(temporary, file);
}

export async function writeCheckpoint(file: string, checkpoint: Checkpoint): Promise<void> {
  await writeFileAtomic(file, encodeCheckpoint(checkpoint));
}

/**
 * Reads only the step of a checkpoint, without its tensors, or returns null when the file
 * does not exist. A sweep uses it to say where each unfinished run resumes.
 */
export async function readCheckpointStep(file: string): Promise<number | null> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    const start = Buffer.alloc(12);
    const { bytesRead } = await handle.read(start, 0, 12, 0);
    const headerLength = bytesRead === 12 ? start.readUInt32LE(8) : 0;
    const buffer = Buffer.alloc(12 + headerLength);
    const { bytesRead: total } = await handle.read(buffer, 0, buffer.length, 0);
    return decodeHeader(buffer.subarray(0, total), file).header.step;
  } finally {
    await handle.close();
  }
}

/** Reads a checkpoint, or returns null when the file does not exist. */
export async function readCheckpoint(file: string): Promise<Checkpoint | null> {
  let buffer: Buffer;
  try {
    buffer = await fs.readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  return decodeCheckpoint(buffer, file);
}

/**
 * Picks the tfjs backend: tfjs-node-gpu, then tfjs-node (both named `tensorflow` by tfjs),
 * then wasm, then the pure-JS cpu backend. The tfjs-node packages are optional
 * dependencies because their install step downloads libtensorflow, so they are loaded
 * only if present and loadable. Every run records the returned BackendInfo.
 */
import os from 'node:os';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { installWasmConvGradients } from './kernels/conv2dBackpropFilter.ts';
import { installWasmMatMulFix } from './kernels/wasmMatMul.ts';

export const BACKEND_NAMES = ['tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export interface BackendInfo {
  /** tfjs's name for the backend: tensorflow, wasm or cpu. */
  name: BackendName;
  /** The package that provides it, with its version. */
  package: string;
  version: string;
  /** Worker threads the backend computes with (1 for cpu; wasm's count when known). */
  threads: number;
  /** Packages that were tried first and why they did not load. */
  skipped: string[];
  /** Kernels this suite registered in place of the backend's own (wasm only). */
  kernels?: string[];
}

const require = createRequire(import.meta.url);

function packageVersion(name: string): string {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

async function tryTensorflow(skipped: string[]): Promise<BackendInfo | undefined> {
  for (const name of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      await import(name);
      if (!(await tf.setBackend('tensorflow'))) throw new Error('tf.setBackend returned false');
      await tf.ready();
      return {
        name: 'tensorflow',
        package: name,
        version: packageVersion(name),
        threads: os.availableParallelism(),
        skipped,
      };
    } catch (error) {
      const missing = error instanceof Error && 'code' in error && error.code === 'ERR_MODULE_NOT_FOUND';
      skipped.push(`${name}: ${missing ? 'not installed' : firstLine(error)}`);
    }
  }
  return undefined;
}

async function tryWasm(skipped: string[]): Promise<BackendInfo | undefined> {
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // The threaded wasm build needs cross-origin-isolated workers; under Node 20 the
    // backend loads its single-threaded build and reports one thread.
    if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend returned false');
    await tf.ready();
    const threads = typeof wasm.getThreadsCount === 'function' ? wasm.getThreadsCount() : 1;
    // tfjs-backend-wasm 4.22 multiplies transposed operands in a scalar loop and has no
    // filter gradient for convolutions; the replacements fix both before any training.
    installWasmMatMulFix();
    installWasmConvGradients();
    return {
      name: 'wasm',
      package: '@tensorflow/tfjs-backend-wasm',
      version: packageVersion('@tensorflow/tfjs-backend-wasm'),
      threads,
      skipped,
      kernels: ['BatchMatMul', '_FusedMatMul', 'Conv2DBackpropFilter', 'Conv2DBackpropInput'],
    };
  } catch (error) {
    skipped.push(`@tensorflow/tfjs-backend-wasm: ${firstLine(error)}`);
    return undefined;
  }
}

async function useCpu(skipped: string[]): Promise<BackendInfo> {
  if (!(await tf.setBackend('cpu'))) throw new Error('backend: the tfjs cpu backend failed to initialise');
  await tf.ready();
  return {
    name: 'cpu',
    package: '@tensorflow/tfjs-backend-cpu',
    version: packageVersion('@tensorflow/tfjs-backend-cpu'),
    threads: 1,
    skipped,
  };
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0];
}

/**
 * Selects a backend and makes it tfjs's current one. With `requested`, only that backend
 * is tried and a failure throws with the reason; without it the first that loads wins.
 */
export async function selectBackend(requested?: string): Promise<BackendInfo> {
  silenceCpuInstallNotice();
  const skipped: string[] = [];
  if (requested !== undefined) {
    if (!(BACKEND_NAMES as readonly string[]).includes(requested)) {
      throw new RangeError(
        `backend: unknown backend "${requested}"; expected one of ${BACKEND_NAMES.join(', ')}`,
      );
    }
    const loaded =
      requested === 'tensorflow'
        ? await tryTensorflow(skipped)
        : requested === 'wasm'
          ? await tryWasm(skipped)
          : await useCpu(skipped);
    if (!loaded) {
      throw new Error(
        `backend: the requested backend "${requested}" could not be loaded (${skipped.join('; ')})`,
      );
    }
    return loaded;
  }
  return (await tryTensorflow(skipped)) ?? (await tryWasm(skipped)) ?? (await useCpu(skipped));
}

/**
 * tfjs's cpu backend prints advice to install tfjs-node on its first tensor under Node.
 * The selection above has already tried tfjs-node and records why it did not load, and
 * some properties use the cpu backend beside wasm, so the advice would only mislead.
 */
function silenceCpuInstallNotice(): void {
  const cpu = tf.findBackend('cpu') as { firstUse?: boolean } | null;
  if (cpu !== null && typeof cpu.firstUse === 'boolean') cpu.firstUse = false;
}

/**
 * The PyTorch side of the comparison. It finds a Python with torch, runs the PyTorch baseline
 * script on one workload at a time and reads the JSON line it writes per workload. The script
 * (torch_baseline.py) is kept outside this repository because it is a measuring tool, not a
 * dependency.
 *
 * Debian's python3-torch links the system BLAS. The reference BLAS makes matmul-heavy steps
 * 10–32× slower and the pthread OpenBLAS competes with torch's OpenMP threads, so the
 * OpenMP build of OpenBLAS is put first on LD_LIBRARY_PATH whenever it is installed.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEFAULT_PYTHON = '/usr/bin/python3';

/** Default path of the baseline script: the shared bench folder beside this repository. */
export const DEFAULT_TORCH_SCRIPT = path.resolve(fileURLToPath(new URL('../', import.meta.url)), '../shared/bench/torch_baseline.py');

/** Debian's OpenMP build of OpenBLAS (package libopenblas0-openmp). */
export const OPENBLAS_OPENMP_DIR = '/usr/lib/x86_64-linux-gnu/openblas-openmp';

export const TORCH_INSTALL_HINT =
  'install it with `apt-get install -y python3-torch python3-numpy libopenblas0-openmp` (Debian; ' +
  'then use /usr/bin/python3) or pass --python PATH to an interpreter that has torch';

/** Seconds a torch import may take before the check gives up. */
const IMPORT_TIMEOUT_MS = 120_000;
/** Seconds one baseline run may take; Conv-4 at 7 repeats needs well under a minute. */
const RUN_TIMEOUT_MS = 600_000;

export interface TorchSettings {
  python: string;
  script: string;
  /** torch.set_num_threads in the baseline process. */
  threads: number;
}

export type TorchAvailability =
  | { available: true; version: string }
  | { available: false; message: string };

/** One workload's result as the baseline script writes it (the fields used here). */
export interface TorchResult {
  workload: string;
  msMedian: number;
  msMin: number;
  msMax: number;
  repeats: number;
  stepsPerRepeat: number;
  threads: number;
  torchVersion: string;
  /** Shared BLAS libraries the torch process mapped. */
  blas: string[];
  gflopPerStep?: number;
}

export interface TorchRunOptions {
  repeats: number;
  warmup: number;
  /** Target wall time of one repeat, in milliseconds. */
  repeatMs: number;
}

interface ProcessOutput {
  stdout: string;
  stderr: string;
}

function processEnvironment(): NodeJS.ProcessEnv {
  if (!existsSync(OPENBLAS_OPENMP_DIR)) return process.env;
  const inherited = process.env.LD_LIBRARY_PATH;
  return { ...process.env, LD_LIBRARY_PATH: inherited ? `${OPENBLAS_OPENMP_DIR}:${inherited}` : OPENBLAS_OPENMP_DIR };
}

function runProcess(file: string, args: string[], timeoutMs: number): Promise<ProcessOutput> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { env: processEnvironment(), timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(Object.assign(error, { stdout, stderr }));
      else resolve({ stdout, stderr });
    });
  });
}

function lastLine(text: string): string {
  const lines = text.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  return lines.length > 0 ? lines[lines.length - 1] : '';
}

/**
 * Checks that the script exists and that `python -c "import torch"` works. Never throws:
 * an unavailable PyTorch is a normal outcome, described in `message`.
 */
export async function checkTorch(settings: TorchSettings): Promise<TorchAvailability> {
  if (!existsSync(settings.script)) {
    return {
      available: false,
      message: `The PyTorch baseline script was not found at ${settings.script}; pass --torch-script PATH to torch_baseline.py`,
    };
  }
  try {
    const { stdout } = await runProcess(settings.python, ['-c', 'import torch; print(torch.__version__)'], IMPORT_TIMEOUT_MS);
    return { available: true, version: lastLine(stdout) };
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: string; killed?: boolean };
    let reason: string;
    if (failure.code === 'ENOENT') reason = `${settings.python} does not exist`;
    else if (failure.killed) reason = `\`${settings.python} -c "import torch"\` timed out after ${IMPORT_TIMEOUT_MS / 1000} s`;
    else reason = `\`${settings.python} -c "import torch"\` failed: ${lastLine(failure.stderr ?? '') || failure.message}`;
    return { available: false, message: `PyTorch was not found: ${reason}; ${TORCH_INSTALL_HINT}` };
  }
}

function field<T>(record: Record<string, unknown>, name: string, line: number, check: (value: unknown) => boolean, expected: string): T {
  const value = record[name];
  if (!check(value)) {
    throw new TypeError(`torch baseline output line ${line}: "${name}" must be ${expected}, received ${JSON.stringify(value)}`);
  }
  return value as T;
}

const positiveNumber = (value: unknown) => typeof value === 'number' && Number.isFinite(value) && value > 0;
const positiveInteger = (value: unknown) => Number.isInteger(value) && (value as number) > 0;

/**
 * Parses the baseline's JSON lines (one object per workload) into results. Lines without a
 * step time, such as the matmul ceiling written by --peak, are skipped.
 */
export function parseTorchResults(text: string): TorchResult[] {
  const results: TorchResult[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new SyntaxError(`torch baseline output line ${line} is not JSON: ${raw.slice(0, 80)}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new TypeError(`torch baseline output line ${line} must be a JSON object, received ${raw.slice(0, 80)}`);
    }
    const record = parsed as Record<string, unknown>;
    if (!('ms_median' in record)) return;
    const blas = record.blas;
    results.push({
      workload: field(record, 'workload', line, (v) => typeof v === 'string' && v !== '', 'a workload name'),
      msMedian: field(record, 'ms_median', line, positiveNumber, 'a positive number of milliseconds'),
      msMin: field(record, 'ms_min', line, positiveNumber, 'a positive number of milliseconds'),
      msMax: field(record, 'ms_max', line, positiveNumber, 'a positive number of milliseconds'),
      repeats: field(record, 'reps', line, positiveInteger, 'a positive integer'),
      stepsPerRepeat: field(record, 'steps_per_rep', line, positiveInteger, 'a positive integer'),
      threads: field(record, 'threads', line, positiveInteger, 'a positive integer'),
      torchVersion: field(record, 'torch', line, (v) => typeof v === 'string', 'a version string'),
      blas: Array.isArray(blas) ? blas.filter((entry): entry is string => typeof entry === 'string') : [],
      gflopPerStep: typeof record.gflop_per_step === 'number' ? record.gflop_per_step : undefined,
    });
  });
  return results;
}

/**
 * Returns the highest float32 matMul GFLOP/s in the baseline's --peak record (n×n products,
 * n = 1024, 2048, 4096), or undefined when the output has no such record.
 */
export function parseTorchCeiling(text: string): number | undefined {
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue;
    const record = JSON.parse(raw) as { workload?: unknown; peak?: unknown };
    if (record.workload !== 'peak_matmul' || !Array.isArray(record.peak)) continue;
    const rates = record.peak.map((entry: { gflops?: unknown }) => entry.gflops).filter((rate): rate is number => typeof rate === 'number');
    if (rates.length > 0) return Math.max(...rates);
  }
  return undefined;
}

/** Runs the script with `args` plus --json in a fresh Python process and returns what it wrote. */
async function runScript(settings: TorchSettings, label: string, args: string[]): Promise<string> {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'gan-dynamics-bench-'));
  const output = path.join(folder, 'torch.jsonl');
  try {
    try {
      await runProcess(settings.python, [settings.script, '--threads', String(settings.threads), ...args, '--json', output], RUN_TIMEOUT_MS);
    } catch (error) {
      const failure = error as Error & { stderr?: string };
      throw new Error(`torch baseline failed on ${label}: ${lastLine(failure.stderr ?? '') || failure.message}`);
    }
    return existsSync(output) ? await readFile(output, 'utf8') : '';
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/** Measures PyTorch's float32 matMul ceiling in GFLOP/s with the baseline's --peak-only. */
export async function runTorchCeiling(settings: TorchSettings): Promise<number> {
  const ceiling = parseTorchCeiling(await runScript(settings, 'the matMul ceiling', ['--peak-only']));
  if (ceiling === undefined) throw new Error('torch baseline finished but wrote no matMul ceiling; run it by hand with --peak-only to see why');
  return ceiling;
}

/** Runs the baseline on one workload in a fresh Python process and returns its result. */
export async function runTorchBaseline(settings: TorchSettings, workload: string, options: TorchRunOptions): Promise<TorchResult> {
  const text = await runScript(settings, workload, [
    '--workload', workload,
    '--reps', String(options.repeats),
    '--warmup', String(options.warmup),
    '--rep-seconds', String(options.repeatMs / 1000),
  ]);
  const result = parseTorchResults(text).find((entry) => entry.workload === workload);
  if (result === undefined) {
    throw new Error(`torch baseline finished but wrote no result for ${workload}; run it by hand with --workload ${workload} to see why`);
  }
  return result;
}

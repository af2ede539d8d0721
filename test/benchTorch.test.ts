/**
 * The PyTorch side of `npm run bench`: parsing the baseline's JSON lines, and the messages
 * for a missing script, Python or torch. Stand-in interpreters (small shell scripts) take
 * the place of Python, so nothing here imports torch or times anything.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describeTorch } from '../bench/compareCommand.ts';
import { checkTorch, parseTorchCeiling, parseTorchResults, runTorchBaseline, TORCH_INSTALL_HINT } from '../bench/torch.ts';

const RECORD = {
  framework: 'torch',
  backend: 'cpu-2thr',
  workload: 'mnist_fc4_B64',
  batch: 64,
  ms_median: 23.4,
  ms_min: 21.9,
  ms_max: 30.2,
  reps: 7,
  steps_per_rep: 22,
  gflop_per_step: 1.3322,
  torch: '1.13.0a0',
  threads: 2,
  blas: ['/usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3'],
  mkldnn: true,
};

const PEAK = { framework: 'torch', workload: 'peak_matmul', peak: [{ n: 1024, ms_median: 10.4, gflops: 205.7 }], torch: '1.13.0a0' };

let folder = '';

test.before(async () => {
  folder = await mkdtemp(path.join(os.tmpdir(), 'bench-torch-test-'));
});

test.after(async () => {
  await rm(folder, { recursive: true, force: true });
});

async function executable(name: string, body: string): Promise<string> {
  const file = path.join(folder, name);
  await writeFile(file, `#!/bin/sh\n${body}\n`);
  await chmod(file, 0o755);
  return file;
}

test('parseTorchResults reads a workload line', () => {
  const [result] = parseTorchResults(`${JSON.stringify(RECORD)}\n`);
  assert.equal(result.workload, 'mnist_fc4_B64');
  assert.equal(result.msMedian, 23.4);
  assert.equal(result.msMin, 21.9);
  assert.equal(result.msMax, 30.2);
  assert.equal(result.repeats, 7);
  assert.equal(result.stepsPerRepeat, 22);
  assert.equal(result.threads, 2);
  assert.equal(result.torchVersion, '1.13.0a0');
  assert.equal(result.blas, RECORD.blas);
  assert.equal(result.gflopPerStep, 1.3322);
});

test('parseTorchResults skips peak and blank lines', () => {
  const text = [JSON.stringify(RECORD), '', JSON.stringify(PEAK), JSON.stringify({ ...RECORD, workload: 'toy2d_H128_B128' }), ''].join('\n');
  const results = parseTorchResults(text);
  assert.equal(results.map((result) => result.workload), ['mnist_fc4_B64', 'toy2d_H128_B128']);
});

test('parseTorchResults names a line that is not JSON', () => {
  assert.throws(() => parseTorchResults(`${JSON.stringify(RECORD)}\nmnist_fc4_B64 torch 23.4 ms/step`), /line 2 is not JSON/);
});

test('parseTorchResults names a bad field', () => {
  const text = JSON.stringify({ ...RECORD, ms_median: 'fast' });
  assert.throws(() => parseTorchResults(text), /line 1: "ms_median" must be a positive number of milliseconds, received "fast"/);
});

test('parseTorchCeiling takes the best size', () => {
  const peak = { ...PEAK, peak: [{ n: 1024, gflops: 190.2 }, { n: 2048, gflops: 210.7 }, { n: 4096, gflops: 203.5 }] };
  assert.is(parseTorchCeiling([JSON.stringify(RECORD), JSON.stringify(peak)].join('\n')), 210.7);
  assert.is(parseTorchCeiling(JSON.stringify(RECORD)), undefined);
});

test('checkTorch reports a missing script', async () => {
  const script = path.join(folder, 'absent', 'torch_baseline.py');
  const availability = await checkTorch({ python: '/bin/true', script, threads: 2 });
  assert.is(availability.available, false);
  if (availability.available) return;
  assert.match(availability.message, `script was not found at ${script}`);
  assert.match(availability.message, '--torch-script');
});

test('checkTorch reports a missing Python', async () => {
  const script = await executable('torch_baseline.py', 'exit 0');
  const python = path.join(folder, 'no-such-python');
  const availability = await checkTorch({ python, script, threads: 2 });
  assert.is(availability.available, false);
  if (availability.available) return;
  assert.match(availability.message, `PyTorch was not found: ${python} does not exist`);
  assert.match(availability.message, TORCH_INSTALL_HINT);
});

test('checkTorch reports a Python without torch', async () => {
  const script = await executable('torch_baseline.py', 'exit 0');
  const python = await executable('python-without-torch', `echo "ModuleNotFoundError: No module named 'torch'" >&2; exit 1`);
  const availability = await checkTorch({ python, script, threads: 2 });
  assert.is(availability.available, false);
  if (availability.available) return;
  assert.match(availability.message, "failed: ModuleNotFoundError: No module named 'torch'");
  assert.match(availability.message, 'apt-get install -y python3-torch');
});

test('checkTorch returns the torch version', async () => {
  const script = await executable('torch_baseline.py', 'exit 0');
  const python = await executable('python-with-torch', 'echo 1.13.0a0');
  const availability = await checkTorch({ python, script, threads: 2 });
  assert.equal(availability, { available: true, version: '1.13.0a0' });
});

test('describeTorch keeps our figures without torch', async () => {
  const script = await executable('torch_baseline.py', 'exit 0');
  const missing = await describeTorch({ python: path.join(folder, 'no-such-python'), script, threads: 2 });
  assert.is(missing.torch, undefined);
  assert.match(missing.line, 'PyTorch was not found');
  assert.match(missing.line, 'Our figures follow alone.');
  const skipped = await describeTorch(undefined);
  assert.is(skipped.torch, undefined);
  assert.is(skipped.line, 'PyTorch: not run (--no-torch)');
});

test('runTorchBaseline passes the settings and reads the result', async () => {
  // Copies its --workload, --reps and --threads into the record and writes it where --json
  // points, as the baseline script does.
  const python = await executable(
    'python-baseline',
    [
      'while [ $# -gt 0 ]; do',
      '  case "$1" in --json) out="$2";; --workload) workload="$2";; --reps) reps="$2";; --threads) threads="$2";; esac',
      '  shift',
      'done',
      `printf '{"workload": "%s", "ms_median": 2.05, "ms_min": 1.9, "ms_max": 2.6, "reps": %s, "steps_per_rep": 244, "threads": %s, "torch": "1.13.0a0"}\\n' "$workload" "$reps" "$threads" >> "$out"`,
    ].join('\n'),
  );
  const script = await executable('torch_baseline.py', 'exit 0');
  const result = await runTorchBaseline({ python, script, threads: 4 }, 'toy2d_H128_B512', { repeats: 3, warmup: 5, repeatMs: 500 });
  assert.equal(result.workload, 'toy2d_H128_B512');
  assert.equal(result.repeats, 3);
  assert.equal(result.threads, 4);
  assert.equal(result.msMedian, 2.05);
  assert.equal(result.blas, []);
});

test('runTorchBaseline reports a failed run', async () => {
  const python = await executable('python-crashing', `echo "RuntimeError: out of memory" >&2; exit 1`);
  const script = await executable('torch_baseline.py', 'exit 0');
  const run = runTorchBaseline({ python, script, threads: 2 }, 'mnist_conv4_B64', { repeats: 7, warmup: 5, repeatMs: 500 });
  try {
    await run;
    assert.unreachable('the run should have failed');
  } catch (error) {
    assert.match((error as Error).message, 'torch baseline failed on mnist_conv4_B64: RuntimeError: out of memory');
  }
});

test.run();

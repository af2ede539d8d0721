/**
 * The command line as a user runs it: each case starts bin/gan-dynamics.js in a child
 * process and checks its exit code, stdout and stderr.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin', 'gan-dynamics.js');

/** Long enough for a child that exits without draining stdout to be gone before the read. */
const STDOUT_HOLD_MS = 500;

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface RunOptions {
  env?: Record<string, string>;
  /** Sends this signal once stderr contains `after`. */
  /**
   * Sends `signal` once stderr contains `after`, `count` times 100 ms apart (default once),
   * because the kernel merges copies of a signal that arrive before the first is handled.
   */
  interrupt?: { signal: NodeJS.Signals; after: string; count?: number };
  /** Leaves stdout unread until stderr contains this text, and for STDOUT_HOLD_MS after. */
  holdStdoutUntil?: string;
  cwd?: string;
}

function gan(args: string[], options: RunOptions = {}): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, GAN_DYNAMICS_DEBUG: '', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    let holding = options.holdStdoutUntil !== undefined;
    child.stdout.on('data', (chunk) => (stdout += chunk));
    if (holding) child.stdout.pause();
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      if (holding && stderr.includes(options.holdStdoutUntil!)) {
        holding = false;
        setTimeout(() => child.stdout.resume(), STDOUT_HOLD_MS);
      }
      if (options.interrupt && !interrupted && stderr.includes(options.interrupt.after)) {
        interrupted = true;
        const { signal, count = 1 } = options.interrupt;
        for (let i = 0; i < count; i++) setTimeout(() => child.kill(signal), 100 * i);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line !== '');
}

/** Asserts a usage error: exit code 2 and one line on stderr that contains every fragment. */
function assertUsageError(outcome: Outcome, ...fragments: string[]): void {
  assert.is(outcome.code, 2, `exit code 2, stderr: ${outcome.stderr}`);
  assert.is(lines(outcome.stderr).length, 1, `one line on stderr, received: ${outcome.stderr}`);
  for (const fragment of fragments) assert.ok(outcome.stderr.includes(fragment), `stderr names ${fragment}: ${outcome.stderr}`);
}

test('--help and -h exit 0 with usage', async () => {
  const variants = [['--help'], ['-h'], ['help']];

  const outcomes = await Promise.all(variants.map((args) => gan(args)));

  for (const [index, outcome] of outcomes.entries()) {
    assert.is(outcome.code, 0, variants[index].join(' '));
    assert.match(outcome.stdout, /^Usage: gan-dynamics <command> \[options\]/);
    assert.match(outcome.stdout, /report/);
    assert.match(outcome.stdout, /sim/);
    assert.match(outcome.stdout, /list/);
  }
});

test('every command has --help with its options', async () => {
  const expected: Record<string, string[]> = {
    report: ['--suite NAME', '--out DIR', '--runs DIR', '--backend NAME', '--seed N', '--data DIR', '--inception DIR', '--force', '-h, --help'],
    sim: ['--json', '--out FILE', '-h, --help'],
    list: ['-h, --help'],
  };
  const outcomes = await Promise.all(Object.keys(expected).map((command) => gan([command, '-h'])));

  for (const [index, [command, options]] of Object.entries(expected).entries()) {
    const outcome = outcomes[index];
    assert.is(outcome.code, 0, command);
    assert.match(outcome.stdout, new RegExp(`^Usage: gan-dynamics ${command}`));
    for (const option of options) assert.ok(outcome.stdout.includes(option), `${command} --help lists ${option}`);
  }
});

/** Runs every case concurrently and checks each for a one-line usage error. */
async function assertUsageErrors(cases: [string[], ...string[]][]): Promise<void> {
  const outcomes = await Promise.all(cases.map(([args]) => gan(args)));
  for (const [index, [, ...fragments]] of cases.entries()) assertUsageError(outcomes[index], ...fragments);
}

test('unknown or missing command: exit 2, one line', async () => {
  await assertUsageErrors([
    [['frobnicate'], '"frobnicate"', 'report, sim, list'],
    [[], 'missing command'],
  ]);
});

test('unknown option: exit 2, one line', async () => {
  await assertUsageErrors([
    [['report', '--bogus'], '"--bogus"', '--suite'],
    [['list', '-x'], '"-x"'],
  ]);
});

test('missing option value: exit 2, one line', async () => {
  await assertUsageErrors([
    [['report', '--suite'], '--suite', 'quick, paper-cpu, paper-gpu'],
    [['report', '--out', '--suite', 'quick'], '--out', 'DIR'],
  ]);
});

test('out-of-range values: exit 2, one line', async () => {
  await assertUsageErrors([
    [['report', '--suite', 'fast'], '"fast"', 'quick, paper-cpu, paper-gpu'],
    [['report', '--backend=webgl'], '"webgl"', 'tensorflow, wasm, cpu'],
    [['report', '--seed', '-1'], '"-1"', '--seed', '[0, 2147483647]'],
    [['report', '--shard', '2/2'], '--shard', 'i/n', '"2/2"'],
    [['report', '--shard', 'half'], '--shard', '"half"'],
    [['report', '--experiments', 'mnist-saturation,rign'], '"rign"', '--experiments', 'ring'],
    [['sim', 'no-such-sim'], '"no-such-sim"', 'scaling-factors'],
    [['sim'], 'missing simulation name'],
    [['sim', 'scaling-factors', '--json=yes'], '--json takes no value'],
    [['sim', 'scaling-factors', '--out', '/nonexistent-folder/result.json'], '--out', '/nonexistent-folder'],
  ]);
});

test('--runs or --out naming a file: exit 2, one line', async () => {
  await assertUsageErrors([
    [['report', '--runs', 'package.json'], '--runs', 'package.json', 'is a file'],
    [['report', '--out=package.json'], '--out', 'package.json', 'is a file'],
  ]);
});

test('missing --data or --inception folder: exit 2, one line', async () => {
  await assertUsageErrors([
    [['report', '--data', '/nonexistent-data-folder'], '--data', '/nonexistent-data-folder', 'does not exist'],
    [['report', '--inception=/nonexistent-inception'], '--inception', '/nonexistent-inception', 'does not exist'],
    [['report', '--inception', 'package.json'], '--inception', 'package.json', 'is not a folder'],
    [['report', '--inception', 'src'], '--inception', 'src/model.json', 'was not found'],
  ]);
});

test('list shows simulations, experiments and claims', async () => {
  const outcome = await gan(['list']);

  assert.is(outcome.code, 0, outcome.stderr);
  for (const name of ['scaling-factors', 'adam-vanishing', 'two-mode', 'batch-weighting']) {
    assert.ok(outcome.stdout.includes(name), `list shows simulation ${name}`);
  }
  assert.match(outcome.stdout, /Experiments/);
  for (let claim = 1; claim <= 19; claim++) assert.match(outcome.stdout, new RegExp(`\\n  C${claim}\\s`));
});

test('sim scaling-factors --json parses as JSON', async () => {
  const outcome = await gan(['sim', 'scaling-factors', '--json']);

  assert.is(outcome.code, 0, outcome.stderr);
  const result = JSON.parse(outcome.stdout);
  assert.type(result, 'object');
});

test('sim prints a text summary and writes --out', async () => {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'gan-dynamics-cli-'));
  try {
    const file = path.join(folder, 'scaling.json');

    const outcome = await gan(['sim', 'scaling-factors', '--out', file]);

    assert.is(outcome.code, 0, outcome.stderr);
    assert.ok(lines(outcome.stdout)[1].startsWith('==='), 'the summary starts with the section title');
    assert.type(JSON.parse(await readFile(file, 'utf8')), 'object');
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});

test('sim --json output larger than a pipe buffer arrives whole', async () => {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'gan-dynamics-cli-'));
  try {
    const file = path.join(folder, 'adam.json');

    const outcome = await gan(['sim', 'adam-vanishing', '--json', '--out', file], { holdStdoutUntil: 'wrote' });

    assert.is(outcome.code, 0, outcome.stderr);
    assert.ok(outcome.stdout.length > 4 * 65536, `stdout holds ${outcome.stdout.length} characters`);
    assert.equal(JSON.parse(outcome.stdout), JSON.parse(await readFile(file, 'utf8')));
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});

test('other failures: exit 1, a message, stack only when debugging', async () => {
  // A folder where the result file should go: writing succeeds, renaming onto it fails.
  const target = await mkdtemp(path.join(os.tmpdir(), 'gan-dynamics-out-'));

  const [plain, debug] = await Promise.all([
    gan(['sim', 'scaling-factors', '--out', target]),
    gan(['sim', 'scaling-factors', '--out', target], { env: { GAN_DYNAMICS_DEBUG: '1' } }),
  ]);

  assert.is(plain.code, 1);
  assert.match(plain.stderr, /gan-dynamics sim: E(ISDIR|NOTEMPTY|EXIST)/);
  assert.not.match(plain.stderr, /\n\s+at /, 'no stack trace');
  assert.is(debug.code, 1);
  assert.match(debug.stderr, /\n\s+at /, 'stack trace with GAN_DYNAMICS_DEBUG=1');
});

test('paper-gpu suite rejects a backend other than tensorflow', async () => {
  const outcome = await gan(['report', '--suite', 'paper-gpu', '--backend', 'cpu']);

  assert.is(outcome.code, 1);
  assert.match(outcome.stderr, /paper-gpu suite trains at full scale and needs the tensorflow backend, but cpu was loaded/);
  assert.match(outcome.stderr, /--force/);
  assert.not.match(outcome.stderr, /GAN_DYNAMICS_DEBUG/);
});

test('SIGINT and SIGTERM during report: stop, name the runs folder', async () => {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'gan-dynamics-cli-'));
  const signals = [['SIGINT', 130], ['SIGTERM', 143]] as const;
  try {
    const outcomes = await Promise.all(
      signals.map(([signal]) => {
        const args = ['report', '--backend', 'cpu', '--out', path.join(folder, `out-${signal}`), '--runs', path.join(folder, `runs-${signal}`)];
        return gan(args, { interrupt: { signal, after: 'properties: running' } });
      }),
    );

    for (const [index, [signal, code]] of signals.entries()) {
      const outcome = outcomes[index];
      const runs = path.join(folder, `runs-${signal}`);
      assert.is(outcome.code, code, `${signal}: ${outcome.stderr}`);
      assert.ok(outcome.stderr.includes(`${signal} received`), outcome.stderr);
      assert.ok(outcome.stderr.includes(`Runs and their latest checkpoints are kept in ${runs}; rerun the same command to resume.`), outcome.stderr);
      assert.not.ok(outcome.stdout.includes('Report:'), `${signal}: no report is written`);
    }
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});

test('one Ctrl-C delivered twice still stops at a checkpoint', async () => {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'gan-dynamics-cli-'));
  try {
    const args = ['report', '--backend', 'cpu', '--out', path.join(folder, 'out'), '--runs', path.join(folder, 'runs')];
    // During training, stopping waits for the workers' checkpoints, so the copy arrives first.
    const outcome = await gan(args, { interrupt: { signal: 'SIGINT', after: 'experiment 1/', count: 2 } });

    assert.is(outcome.code, 130, outcome.stderr);
    assert.ok(outcome.stderr.includes('SIGINT received: each training run saves a checkpoint after its current step and stops'), outcome.stderr);
    assert.not.ok(outcome.stderr.includes('received again'), outcome.stderr);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});

test.run();

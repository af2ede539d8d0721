/**
 * Run store and resumption: a run stopped by a signal, or killed outright, and then resumed
 * writes exactly the metric rows and samples of an uninterrupted run with the same seed on
 * the same backend.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fork } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { selectBackend, type BackendInfo } from '../src/backend.ts';
import { installWasmMatMulFix } from '../src/kernels/wasmMatMul.ts';
import { decodeCheckpoint, encodeCheckpoint, readCheckpointStep } from '../src/train/checkpoint.ts';
import { RunStore } from '../src/train/runStore.ts';
import type { RunConfig } from '../src/train/setup.ts';
import type { WorkerReply, WorkerRequest } from '../src/train/sweepWorker.ts';
import { trainRun } from '../src/train/trainRun.ts';

const WORKER = fileURLToPath(new URL('../src/train/sweepWorker.ts', import.meta.url));

/**
 * A small ring run: checkpoints every 30 steps, rows every 10, evaluations every 40. The
 * interrupted runs are stopped near step 40–70, which leaves the worker 170 steps of margin
 * on a loaded machine.
 */
const CONFIG: RunConfig = {
  train: {
    cost: 'mm-nsat',
    steps: 240,
    batchSize: 32,
    noiseDimension: 8,
    seed: 17,
    logEvery: 10,
    evaluateEvery: 40,
    checkpointEvery: 30,
    sampleSteps: [60, 240],
    generatorAdam: { learningRate: 1e-3 },
    discriminatorAdam: { learningRate: 1e-3 },
  },
  setup: {
    module: 'src/train/mixtureSetup.ts',
    options: {
      mixture: { kind: 'ring' },
      generatorHidden: [16, 16],
      discriminatorHidden: [16, 16],
      evaluationSamples: 256,
      storedSamples: 64,
    },
  },
};

let backend: BackendInfo;
let root: string;
let reference: { metrics: string; samples: string[] };

async function runContents(dir: string) {
  const store = new RunStore(dir);
  const samples = await Promise.all((await store.sampleSteps()).map(async (step) => JSON.stringify(await store.readSamples(step))));
  return { metrics: await fs.readFile(store.metricsFile, 'utf8'), samples };
}

/** Starts a worker on wasm, sends it the run, and calls `signal` once it reports `step`. */
function startWorkerRun(dir: string, step: number, signal: NodeJS.Signals) {
  const child = fork(WORKER, ['--backend', 'wasm'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const replies: WorkerReply[] = [];
  let signalled = false;
  child.on('message', (reply: WorkerReply) => {
    replies.push(reply);
    if (reply.type === 'ready') child.send({ type: 'run', id: 'resume', dir, config: CONFIG } satisfies WorkerRequest);
    if (reply.type === 'progress' && reply.step >= step && !signalled) {
      signalled = true;
      child.kill(signal);
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { replies, exited };
}

async function lastLoggedStep(dir: string): Promise<number> {
  const rows = await new RunStore(dir).readMetrics();
  return rows.length === 0 ? 0 : rows[rows.length - 1].step;
}

test.before(async () => {
  backend = await selectBackend('wasm');
  installWasmMatMulFix();
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'gan-runstore-'));
  const dir = path.join(root, 'uninterrupted');
  const result = await trainRun(dir, CONFIG, { backend });
  assert.is(result.state, 'complete');
  reference = await runContents(dir);
});

test.after(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

test('uninterrupted run writes rows, samples and status', async () => {
  const store = new RunStore(path.join(root, 'uninterrupted'));
  const rows = await store.readMetrics();
  assert.equal(rows.map((row) => row.step), Array.from({ length: 24 }, (_, i) => 10 * (i + 1)));
  assert.type(rows[3].modesCovered, 'number', 'evaluation merged into the row of step 40');
  assert.type(rows[0].gradientNormGenerator, 'number');
  assert.equal(await store.sampleSteps(), [60, 240]);
  const status = (await store.readStatus())!;
  assert.is(status.state, 'complete');
  assert.is(status.step, 240);
  assert.is(status.backend.name, 'wasm');
  assert.equal(await store.readConfig(), CONFIG);
  assert.is((await store.readCheckpoint())!.step, 240);
});

test('finished run is not trained again', async () => {
  const dir = path.join(root, 'uninterrupted');
  const before = await fs.stat(new RunStore(dir).checkpointFile);
  const result = await trainRun(dir, CONFIG, { backend });
  assert.ok(result.alreadyFinished);
  assert.equal((await fs.stat(new RunStore(dir).checkpointFile)).mtimeMs, before.mtimeMs);
});

test('run folder rejects another config', async () => {
  const other = { ...CONFIG, train: { ...CONFIG.train, seed: 18 } };
  try {
    await trainRun(path.join(root, 'uninterrupted'), other, { backend });
    assert.unreachable('a changed config was accepted');
  } catch (error) {
    assert.match((error as Error).message, /contains a different config/);
  }
});

test('run resumed alone keeps its batched share', async () => {
  const dir = path.join(root, 'after-batch');
  const store = new RunStore(dir);
  await store.create();
  // An earlier session trained this seed with three others for 40 s of wall time, then stopped.
  await store.writeStatus({ state: 'incomplete', step: 0, steps: 240, backend, backends: [backend], seconds: 40, batchedSeeds: 4, seedSeconds: 10, updated: new Date().toISOString() });

  await trainRun(dir, CONFIG, { backend });

  const status = (await store.readStatus())!;
  assert.is(status.batchedSeeds, 1);
  const alone = status.seconds - 40;
  assert.ok(alone > 0, `seconds ${status.seconds}`);
  assert.ok(Math.abs(status.seedSeconds! - (10 + alone)) < 1e-6, `share ${status.seedSeconds}, expected ${10 + alone}`);
});

test('aborted run resumes to identical rows', async () => {
  const dir = path.join(root, 'aborted');
  const controller = new AbortController();
  const first = await trainRun(dir, CONFIG, {
    backend,
    signal: controller.signal,
    onProgress: (step) => step >= 50 && controller.abort(),
  });
  assert.is(first.state, 'incomplete');
  assert.is(first.step, 50);
  assert.is((await new RunStore(dir).readStatus())!.state, 'incomplete');
  const second = await trainRun(dir, CONFIG, { backend });
  assert.is(second.state, 'complete');
  assert.is(second.resumedFrom, 50);
  assert.equal(await runContents(dir), reference);
});

test('killed worker run resumes to identical rows', async () => {
  const dir = path.join(root, 'killed');
  // Killed after the row of step 70, past the checkpoint at 60, so the resume must drop rows.
  const { exited } = startWorkerRun(dir, 70, 'SIGKILL');
  await exited;
  const checkpointStep = (await new RunStore(dir).readCheckpoint())!.step;
  const loggedStep = await lastLoggedStep(dir);
  assert.ok(loggedStep > checkpointStep, `rows reach ${loggedStep}, checkpoint ${checkpointStep}`);

  const result = await trainRun(dir, CONFIG, { backend });
  assert.is(result.resumedFrom, checkpointStep);
  assert.equal(await runContents(dir), reference);
  const status = (await new RunStore(dir).readStatus())!;
  assert.is(status.backends.length, 2, 'both sessions recorded');
});

test('terminated worker checkpoints and resumes', async () => {
  const dir = path.join(root, 'terminated');
  const { replies, exited } = startWorkerRun(dir, 40, 'SIGTERM');
  assert.is(await exited, 0);
  const finished = replies.find((reply) => reply.type === 'finished');
  assert.ok(finished !== undefined, 'worker reported the end of the run');
  assert.is(finished.type === 'finished' ? finished.result.state : undefined, 'incomplete');
  const stoppedAt = (await new RunStore(dir).readCheckpoint())!.step;
  assert.ok(stoppedAt >= 40, `checkpoint at ${stoppedAt}, after the signal at step 40`);
  assert.ok(stoppedAt < 240, `checkpoint at ${stoppedAt}, before the end`);

  await trainRun(dir, CONFIG, { backend });
  assert.equal(await runContents(dir), reference);
});

test('checkpoint encoding round-trips and rejects damage', async () => {
  const store = new RunStore(path.join(root, 'uninterrupted'));
  const checkpoint = (await store.readCheckpoint())!;
  const bytes = encodeCheckpoint(checkpoint);
  assert.equal(decodeCheckpoint(bytes), checkpoint);
  assert.throws(() => decodeCheckpoint(bytes.subarray(0, bytes.length - 4)), /expected \d+ bytes, found \d+/);
  assert.throws(() => decodeCheckpoint(Buffer.from('not a checkpoint')), /not a checkpoint file/);

  assert.is(await store.readCheckpointStep(), checkpoint.step, 'the step read from the header alone');
  assert.is(await new RunStore(path.join(root, 'never-created')).readCheckpointStep(), null);
  const truncatedFile = path.join(root, 'damaged.bin');
  await fs.writeFile(truncatedFile, bytes.subarray(0, 20));
  const readError = await readCheckpointStep(truncatedFile).then(() => undefined, (caught: Error) => caught);
  assert.match(readError?.message ?? 'no error', /truncated header/);
});

test('metrics reader drops a torn last line', async () => {
  const store = new RunStore(path.join(root, 'torn'));
  await store.create();
  await fs.writeFile(store.metricsFile, '{"step":10,"a":1}\n{"step":20,"a":2}\n{"step":30,"a"');
  assert.equal((await store.readMetrics()).map((row) => row.step), [10, 20]);
  await fs.writeFile(store.metricsFile, '{"step":10,"a":1}\n{"step":2\n{"step":30,"a":3}\n');
  await store.readMetrics().then(
    () => assert.unreachable('a corrupt middle line was accepted'),
    (error: Error) => assert.match(error.message, /line 2 is not valid JSON/),
  );
});

test('non-finite loss stops the run as diverged', async () => {
  // A learning rate of 1e30 sends D's weights to ±1e30 in one Adam step, so the logits of
  // step 2 overflow float32 and the losses become infinite or NaN.
  const exploding: RunConfig = {
    ...CONFIG,
    train: { ...CONFIG.train, steps: 50, logEvery: 5, discriminatorAdam: { learningRate: 1e30 } },
  };
  const dir = path.join(root, 'diverged');
  const result = await trainRun(dir, exploding, { backend });
  assert.is(result.state, 'diverged');
  assert.is(result.divergedAt, 2);
  assert.is(result.step, 5, 'found at the first logging step');
  const store = new RunStore(dir);
  const status = (await store.readStatus())!;
  assert.is(status.state, 'diverged');
  assert.is(status.divergedAt, 2);
  assert.is(await store.readCheckpoint(), null, 'no checkpoint of a diverged state');
  assert.equal((await store.readMetrics()).map((row) => row.step), [5]);
  const again = await trainRun(dir, exploding, { backend });
  assert.ok(again.alreadyFinished, 'a diverged run is finished');
});

test('tensor count stays flat across runs', async () => {
  const before = tf.memory().numTensors;
  await trainRun(path.join(root, 'tensors'), { ...CONFIG, train: { ...CONFIG.train, steps: 20 } }, { backend });
  assert.is(tf.memory().numTensors, before);
});

test.run();

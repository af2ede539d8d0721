/**
 * Seed-batched run folders: the runs of a batched program write the files and rows of
 * separate runs, resume after a kill to the rows of an uninterrupted batched program, and
 * finish a diverged seed alone.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fork } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { selectBackend, type BackendInfo } from '../src/backend.ts';
import { RunStore, type MetricRow } from '../src/train/runStore.ts';
import { trainSeedBatch, type SeedBatchRun } from '../src/train/seedBatchRun.ts';
import type { RunConfig } from '../src/train/setup.ts';
import { expandSweep, runSweep, seedJobs } from '../src/train/sweep.ts';
import type { WorkerReply, WorkerRequest } from '../src/train/sweepWorker.ts';
import { trainRun } from '../src/train/trainRun.ts';

const WORKER = fileURLToPath(new URL('../src/train/sweepWorker.ts', import.meta.url));

/**
 * Rows of batched and separate runs agree to float32 tolerance (see properties/seedAxis.ts).
 * Mode metrics count 256 samples, so a sample moved across a boundary shifts a share by 1/256.
 */
const ROW_TOLERANCE = { relative: 1e-3, absolute: 1e-5 };
const SHARE_TOLERANCE = 1 / 256 + 1e-9;

function config(seed: number, steps = 60): RunConfig {
  return {
    train: {
      cost: 'mm-nsat',
      steps,
      batchSize: 16,
      noiseDimension: 8,
      seed,
      logEvery: 10,
      evaluateEvery: 30,
      checkpointEvery: 20,
      sampleSteps: [30],
      generatorAdam: { learningRate: 1e-3 },
      discriminatorAdam: { learningRate: 1e-3 },
    },
    setup: {
      module: 'src/train/mixtureSetup.ts',
      options: { mixture: { kind: 'ring' }, generatorHidden: [16, 16], discriminatorHidden: [16, 16], evaluationSamples: 256, storedSamples: 16 },
    },
  };
}

let backend: BackendInfo;
let root: string;

const runsIn = (dir: string, seeds: number[], steps?: number): SeedBatchRun[] =>
  seeds.map((seed) => ({ id: `seed${seed}`, dir: path.join(dir, `seed${seed}`), config: config(seed, steps) }));

async function contents(dir: string) {
  const store = new RunStore(dir);
  const samples = await Promise.all((await store.sampleSteps()).map((step) => store.readSamples(step)));
  return { metrics: await fs.readFile(store.metricsFile, 'utf8'), samples: JSON.stringify(samples) };
}

function rowDifferences(actual: MetricRow[], expected: MetricRow[]): string[] {
  const found: string[] = [];
  if (actual.length !== expected.length) return [`${actual.length} rows, expected ${expected.length}`];
  expected.forEach((row, r) => {
    const keys = Object.keys(row).sort().join();
    if (Object.keys(actual[r]).sort().join() !== keys) found.push(`row ${r} keys ${Object.keys(actual[r])}, expected ${keys}`);
    for (const [key, value] of Object.entries(row)) {
      const values = ([] as number[]).concat(value);
      const other = ([] as number[]).concat(actual[r][key]);
      values.forEach((x, i) => {
        const bound = key === 'modeFrequencies' || key === 'highQualityRate'
          ? SHARE_TOLERANCE
          : ROW_TOLERANCE.absolute + ROW_TOLERANCE.relative * Math.abs(x);
        if (!(Math.abs(other[i] - x) <= bound) && !(Number.isNaN(x) && Number.isNaN(other[i]))) {
          found.push(`row ${r} ${key}[${i}] ${other[i]}, expected ${x}`);
        }
      });
    }
  });
  return found;
}

test.before(async () => {
  backend = await selectBackend('wasm');
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'gan-seedbatch-'));
});

test.after(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

test('batched runs write separate runs’ rows', async () => {
  const batched = runsIn(path.join(root, 'batched'), [4, 9]);
  const results = await trainSeedBatch(batched, { backend });
  assert.equal(results.map((result) => result.state), ['complete', 'complete']);
  for (const run of batched) {
    const separateDir = path.join(root, 'separate', run.id);
    assert.is((await trainRun(separateDir, run.config, { backend })).state, 'complete');
    const store = new RunStore(run.dir);
    const separate = new RunStore(separateDir);
    assert.equal(rowDifferences(await store.readMetrics(), await separate.readMetrics()).slice(0, 5), []);
    assert.equal(await store.sampleSteps(), await separate.sampleSteps());
    assert.equal(await store.readConfig(), await separate.readConfig());
    const checkpoint = (await store.readCheckpoint())!;
    const reference = (await separate.readCheckpoint())!;
    assert.is(checkpoint.step, 60);
    assert.is(checkpoint.seed, reference.seed);
    assert.equal(checkpoint.trainer.generator.map((values) => values.length), reference.trainer.generator.map((values) => values.length));
    assert.is((await store.readStatus())!.state, 'complete');
  }
});

test('separate run resumes a batched checkpoint', async () => {
  const runs = runsIn(path.join(root, 'handover'), [4]);
  const controller = new AbortController();
  controller.abort();
  assert.is((await trainSeedBatch(runs, { backend, signal: controller.signal }))[0].step, 1);
  const resumed = await trainRun(runs[0].dir, runs[0].config, { backend });
  assert.is(resumed.resumedFrom, 1);
  const reference = await new RunStore(path.join(root, 'separate', 'seed4')).readMetrics();
  assert.equal(rowDifferences(await new RunStore(runs[0].dir).readMetrics(), reference).slice(0, 5), []);
});

test('seeds at different checkpoints resume', async () => {
  const runs = runsIn(path.join(root, 'uneven'), [4, 9]);
  const stopNow = new AbortController();
  stopNow.abort();
  await trainSeedBatch(runs, { backend, signal: stopNow.signal });
  const stopLater = new AbortController();
  const first = await trainSeedBatch(runs.slice(0, 1), {
    backend,
    signal: stopLater.signal,
    onProgress: (_, step) => step >= 20 && stopLater.abort(),
  });
  assert.is(first[0].step, 20);

  const results = await trainSeedBatch(runs, { backend });
  assert.equal(results.map((result) => [result.state, result.resumedFrom]), [['complete', 20], ['complete', 1]]);
  for (const run of runs) {
    const reference = await new RunStore(path.join(root, 'separate', run.id)).readMetrics();
    assert.equal(rowDifferences(await new RunStore(run.dir).readMetrics(), reference).slice(0, 5), [], run.id);
  }
});

test('killed batch resumes to identical rows', async () => {
  const reference = runsIn(path.join(root, 'reference'), [4, 9], 120);
  await trainSeedBatch(reference, { backend });
  const killed = runsIn(path.join(root, 'killed'), [4, 9], 120);

  const child = fork(WORKER, ['--backend', 'wasm'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  child.on('message', (reply: WorkerReply) => {
    if (reply.type === 'ready') child.send({ type: 'batch', runs: killed } satisfies WorkerRequest);
    if (reply.type === 'progress' && reply.step >= 50) child.kill('SIGKILL');
  });
  await new Promise((resolve) => child.on('exit', resolve));
  const steps = await Promise.all(killed.map(async (run) => (await new RunStore(run.dir).readCheckpoint())?.step));
  assert.ok(steps.every((step) => step !== undefined && step >= 40 && step < 120), `checkpoints at ${steps}`);

  const results = await trainSeedBatch(killed, { backend });
  assert.equal(results.map((result) => result.state), ['complete', 'complete']);
  for (const [s, run] of killed.entries()) {
    assert.equal(await contents(run.dir), await contents(reference[s].dir), `seed ${run.id}`);
  }
});

test('diverged seed finishes alone', async () => {
  const runs = runsIn(path.join(root, 'diverging'), [4, 9]);
  const controller = new AbortController();
  controller.abort();
  // An aborted signal stops both runs after step 1 with a checkpoint.
  const stopped = await trainSeedBatch(runs, { backend, signal: controller.signal });
  assert.equal(stopped.map((result) => [result.state, result.step]), [['incomplete', 1], ['incomplete', 1]]);

  const store = new RunStore(runs[1].dir);
  const checkpoint = (await store.readCheckpoint())!;
  // D's output bias feeds the logit with no ReLU in between, which would clamp a NaN to 0.
  checkpoint.trainer.discriminator.at(-1)![0] = Number.NaN;
  await store.writeCheckpoint(checkpoint);

  const results = await trainSeedBatch(runs, { backend });
  assert.is(results[0].state, 'complete');
  assert.is(results[1].state, 'diverged');
  assert.is(results[1].divergedAt, 2);
  assert.is(results[1].step, 10, 'stopped at the first logging step');
  const status = (await store.readStatus())!;
  assert.is(status.state, 'diverged');
  assert.is((await store.readCheckpoint())!.step, 1, 'no checkpoint of a diverged state');
  const healthy = await new RunStore(runs[0].dir).readMetrics();
  assert.ok(healthy.every((row) => Number.isFinite(row.lossGenerator)), 'the other seed stays finite');
});

test('sweep trains seed jobs in workers', async () => {
  const runs = expandSweep(config(0, 20), { costs: ['ns'], seeds: [1, 2, 3, 4] });
  const lines: string[] = [];
  const results = await runSweep(runs, { runsDir: path.join(root, 'sweep'), workers: 2, backend: 'wasm', log: (line) => lines.push(line) });
  assert.equal(results.map((result) => result.state), ['complete', 'complete', 'complete', 'complete'], lines.join('\n'));
  for (const result of results) {
    assert.equal((await new RunStore(result.dir).readMetrics()).map((row) => row.step), [10, 20]);
  }
});

test('seed jobs split groups over workers', () => {
  const runs = [1, 2, 3, 4, 5].flatMap((seed) => [
    { id: `ns${seed}`, config: { ...config(seed), train: { ...config(seed).train, cost: 'ns' } } },
    { id: `mm${seed}`, config: { ...config(seed), train: { ...config(seed).train, cost: 'mm' } } },
  ]);
  const jobs = seedJobs(runs, 2);
  assert.equal(jobs.map((job) => job.map((run) => run.id)), [
    ['ns1', 'ns2'],
    ['ns3', 'ns4', 'ns5'],
    ['mm1', 'mm2'],
    ['mm3', 'mm4', 'mm5'],
  ]);
  assert.equal(seedJobs(runs.slice(0, 1), 2).length, 1);
});

test('batch rejects runs differing beyond seed', async () => {
  const runs = runsIn(path.join(root, 'mixed'), [1, 2]);
  runs[1].config.train.cost = 'ns';
  await trainSeedBatch(runs, { backend }).then(
    () => assert.unreachable('runs with different costs were batched'),
    (error: Error) => assert.match(error.message, /runs\[1\] \(seed2\) differs from runs\[0\] in more than its seed/),
  );
});

test.run();

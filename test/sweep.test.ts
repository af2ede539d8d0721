import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RunStore } from '../src/train/runStore.ts';
import type { RunConfig } from '../src/train/setup.ts';
import { parseShard, resolveShard, shardRuns } from '../src/train/shard.ts';
import { expandSweep, runId, runSweep } from '../src/train/sweep.ts';

const BASE: RunConfig = {
  train: { cost: 'ns', steps: 30, batchSize: 16, noiseDimension: 4, logEvery: 10, checkpointEvery: 10 },
  setup: {
    module: 'src/train/mixtureSetup.ts',
    options: { mixture: { kind: 'ring' }, generatorHidden: [8], discriminatorHidden: [8], evaluationSamples: 64 },
  },
};

test('sweep expands costs × seeds × settings', () => {
  const runs = expandSweep(BASE, {
    costs: ['ns', 'mm', 'ns+mm(0.5)'],
    seeds: [1, 2],
    settings: { wide: { setupOptions: { generatorHidden: [16] } }, beta: { train: { generatorAdam: { beta2: 0.99 } } } },
  });
  assert.is(runs.length, 12);
  assert.is(new Set(runs.map((run) => run.id)).size, 12);
  assert.is(runs[0].id, 'wide__ns__seed1');
  assert.is(runs[5].id, 'wide__ns+mm(0.5)__seed2');
  assert.equal((runs[0].config.setup.options as { generatorHidden: number[] }).generatorHidden, [16]);
  assert.equal((runs[6].config.setup.options as { generatorHidden: number[] }).generatorHidden, [8]);
  assert.equal(runs[6].config.train.generatorAdam, { beta2: 0.99 });
  assert.is(runs[3].config.train.cost, 'mm');
  assert.is(runs[3].config.train.seed, 2);
  assert.is(runs[3].config.train.steps, 30);
});

test('run ids keep only folder-safe characters', () => {
  assert.is(runId('a b', 'c/d', 3), 'a_b__c_d__3');
});

test('shards partition the runs', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 9 }), (length, count) => {
      const runs = Array.from({ length }, (_, i) => i);
      const shards = Array.from({ length: count }, (_, index) => shardRuns(runs, { index, count }));
      const all = shards.flat().sort((a, b) => a - b);
      assert.equal(all, runs, 'every run in exactly one shard');
      shards.forEach((shard) => assert.ok(shard.length <= Math.ceil(length / count)), 'balanced');
    }),
    { numRuns: 100, seed: 3 },
  );
});

test('shard comes from the flag or Slurm', () => {
  assert.equal(parseShard('2/5'), { index: 2, count: 5 });
  assert.equal(resolveShard(undefined, {}), { index: 0, count: 1 });
  assert.equal(resolveShard(undefined, { SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_COUNT: '4' }), { index: 3, count: 4 });
  assert.equal(
    resolveShard(undefined, { SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_COUNT: '4', SLURM_ARRAY_TASK_MIN: '1' }),
    { index: 3, count: 4 },
  );
  assert.equal(resolveShard('1/2', { SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_COUNT: '4' }), { index: 1, count: 2 });
  for (const bad of ['2/2', '1', 'a/b', '-1/3', '0/0']) {
    assert.throws(() => parseShard(bad), /--shard must be written i\/n with 0 ≤ i < n/, bad);
  }
});

test('sweep trains in workers and skips finished runs', async () => {
  const runsDir = await fs.mkdtemp(path.join(os.tmpdir(), 'gan-sweep-'));
  try {
    const runs = expandSweep(BASE, { costs: ['ns', 'mm-nsat'], seeds: [1, 2] });
    const progress: [number, number, string][] = [];
    const logged: string[] = [];
    const results = await runSweep(runs, {
      runsDir,
      workers: 2,
      backend: 'wasm',
      onProgress: (done, total, label) => progress.push([done, total, label]),
      log: (line) => logged.push(line),
    });
    assert.equal(results.map((r) => r.state), ['complete', 'complete', 'complete', 'complete']);
    assert.ok(results.every((r) => !r.skipped));
    assert.equal(progress[progress.length - 1].slice(0, 2), [4, 4]);
    assert.ok(progress.some(([, , label]) => /step 10\/30/.test(label)), 'per-step progress reported');
    assert.ok(progress.some(([done]) => !Number.isInteger(done)), 'running runs count by their finished share');
    assert.ok(progress.every(([done], i) => i === 0 || done >= progress[i - 1][0]), 'the finished count never falls');
    assert.is(logged.filter((line) => /^worker \d+ started on wasm$/.test(line)).length, 2);
    const status = await new RunStore(results[0].dir).readStatus();
    assert.is(status!.backend.name, 'wasm');
    assert.is((await new RunStore(results[3].dir).readMetrics()).length, 3);

    const again = await runSweep(runs, { runsDir, workers: 2, backend: 'wasm' });
    assert.ok(again.every((r) => r.skipped && r.state === 'complete'), 'finished runs are skipped');
  } finally {
    await fs.rm(runsDir, { recursive: true, force: true });
  }
});

test('sweep sets aside runs of other settings', async () => {
  const runsDir = await fs.mkdtemp(path.join(os.tmpdir(), 'gan-sweep-aside-'));
  try {
    const [earlier] = expandSweep({ ...BASE, train: { ...BASE.train, steps: 10 } }, { costs: ['ns'], seeds: [1] });
    await runSweep([earlier], { runsDir, workers: 1, backend: 'wasm' });
    const [current] = expandSweep(BASE, { costs: ['ns'], seeds: [1] });
    assert.is(current.id, earlier.id, 'the same run id with longer training');

    const notices: string[] = [];
    const [result] = await runSweep([current], { runsDir, workers: 1, backend: 'wasm', onNotice: (line) => notices.push(line) });
    assert.is(result.state, 'complete');
    assert.is(result.status!.steps, 30, 'the run trained afresh with the current settings');
    const names = (await fs.readdir(runsDir)).sort();
    assert.is(names.length, 2, JSON.stringify(names));
    const aside = path.join(runsDir, names.find((name) => name.startsWith(`${current.id}.superseded-`))!);
    assert.is((await new RunStore(aside).readStatus())!.steps, 10, 'the earlier run is kept');
    assert.is(notices.length, 1);
    assert.match(notices[0], `moved it to ${aside}`);
  } finally {
    await fs.rm(runsDir, { recursive: true, force: true });
  }
});

test('stopped sweep labels runs resumable', async () => {
  const runsDir = await fs.mkdtemp(path.join(os.tmpdir(), 'gan-sweep-stop-'));
  try {
    const runs = expandSweep({ ...BASE, train: { ...BASE.train, steps: 400 } }, { costs: ['ns'], seeds: [1, 2] });
    const controller = new AbortController();
    const labels: string[] = [];
    const counts: number[] = [];
    const logged: string[] = [];
    // One worker gets both seeds as one batched program.
    const results = await runSweep(runs, {
      runsDir,
      workers: 1,
      backend: 'wasm',
      signal: controller.signal,
      onProgress: (done, _total, label) => {
        labels.push(label);
        counts.push(done);
        if (/step 10\//.test(label)) controller.abort();
      },
      log: (line) => logged.push(line),
    });
    assert.equal(results.map((r) => r.state), ['incomplete', 'incomplete'], logged.join('\n'));
    const statuses = await Promise.all(results.map(async (r) => (await new RunStore(r.dir).readStatus())!));
    for (const [i, result] of results.entries()) {
      const stopped = `${result.id} stopped at step ${statuses[i].step} of 400, resumes there when rerun`;
      assert.ok(labels.includes(stopped), `progress has "${stopped}" in ${JSON.stringify(labels.slice(-3))}`);
      assert.ok(logged.some((line) => line.startsWith(`${result.id}: stopped at step`) && / s for 2 seeds batched$/.test(line)), logged.join('\n'));
    }
    assert.not.ok(labels.some((label) => /incomplete/.test(label)), 'no stopped run reads as incomplete');
    assert.ok(counts.every((done) => done < 1), `stopped runs are not counted as finished: ${JSON.stringify(counts)}`);
    const stopLine = `stopped ${results.map((r, i) => `${r.id} at step ${statuses[i].step}`).join(', ')}; rerun to resume them`;
    assert.is(labels.at(-1), stopLine, 'the last progress line names every stopped run');

    // A killed process leaves its status at `running` from the session's first step, so the resumed step comes from the checkpoint.
    const killed = new RunStore(results[1].dir);
    await killed.writeStatus({ ...statuses[1], state: 'running', step: 0 });

    const resumedLabels: string[] = [];
    const resumed = await runSweep(runs, { runsDir, workers: 1, backend: 'wasm', onProgress: (_done, _total, label) => resumedLabels.push(label) });
    const starts = results.map((result, i) => `${result.id} from step ${statuses[i].step}`).join(', ');
    assert.is(resumedLabels[0], `0 of 2 runs already finished; resuming ${starts}`);
    assert.equal(resumed.map((r) => r.state), ['complete', 'complete']);
    assert.ok(resumed.every((r) => r.status!.seconds > statuses[0].seconds), 'wall time of both sessions');
  } finally {
    await fs.rm(runsDir, { recursive: true, force: true });
  }
});

test('sharded sweep trains only its shard', async () => {
  const runsDir = await fs.mkdtemp(path.join(os.tmpdir(), 'gan-shard-'));
  try {
    const runs = expandSweep(BASE, { costs: ['ns'], seeds: [1, 2, 3] });
    const results = await runSweep(runs, { runsDir, workers: 1, backend: 'wasm', shard: { index: 1, count: 2 } });
    assert.equal(results.map((r) => r.id), ['default__ns__seed2']);
    assert.equal((await fs.readdir(runsDir)).sort(), ['default__ns__seed2']);
  } finally {
    await fs.rm(runsDir, { recursive: true, force: true });
  }
});

test('sweep rejects unsafe or repeated ids', async () => {
  const run = { id: 'a/b', config: BASE };
  await runSweep([run], { runsDir: os.tmpdir() }).then(
    () => assert.unreachable('an unsafe id was accepted'),
    (error: Error) => assert.match(error.message, /run id must use letters, digits/),
  );
  const twice = [{ id: 'x', config: BASE }, { id: 'x', config: BASE }];
  await runSweep(twice, { runsDir: os.tmpdir() }).then(
    () => assert.unreachable('a repeated id was accepted'),
    (error: Error) => assert.match(error.message, /run id "x" appears twice/),
  );
});

test.run();

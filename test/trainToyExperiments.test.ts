/**
 * The ring and spiral experiments end to end on tiny settings: runs in worker processes,
 * sections with figures and tables, run summaries and a computed C12 verdict.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BackendInfo } from '../src/backend.ts';
import type { ExperimentContext } from '../experiments/experiment.ts';
import { RING_SCALES, runRing } from '../experiments/ring/index.ts';
import { unlearnedCaveat, type ToyRun, type ToyScaleSettings } from '../experiments/ring/toyRuns.ts';
import { runSpiral, SPIRAL_SCALES } from '../experiments/spiral/index.ts';

const BACKEND: BackendInfo = { name: 'wasm', package: '@tensorflow/tfjs-backend-wasm', version: '4.22.0', threads: 1, skipped: [] };

function tiny(settings: ToyScaleSettings): ToyScaleSettings {
  return {
    ...settings,
    variants: settings.variants.slice(0, 2),
    seeds: [1, 2],
    train: {
      ...settings.train,
      steps: 40,
      batchSize: 16,
      noiseDimension: 4,
      logEvery: 10,
      evaluateEvery: 10,
      checkpointEvery: 20,
      sampleSteps: [20, 40],
    },
    setup: { ...settings.setup, generatorHidden: [8], discriminatorHidden: [8], evaluationSamples: 128, storedSamples: 32 },
    scatterSteps: [20, 40],
  };
}

let runsDir: string;
const progress: string[] = [];
const context = (): ExperimentContext => ({ runsDir, backend: BACKEND, progress: (_, __, label) => progress.push(label) });

test.before(async () => {
  runsDir = await fs.mkdtemp(path.join(os.tmpdir(), 'gan-toy-'));
});

test.after(async () => {
  await fs.rm(runsDir, { recursive: true, force: true });
});

test('ring experiment builds its section and verdict', async () => {
  const result = await runRing('quick', context(), tiny(RING_SCALES.quick));
  assert.is(result.experiment, 'ring');
  assert.is(result.runs.length, 4);
  assert.ok(result.runs.every((run) => run.status === 'complete' && run.backend.name === 'wasm'));
  assert.type(result.runs[0].metrics.modesCovered, 'number');
  const [section] = result.sections;
  const kinds = section.figures.map((figure) => figure.kind);
  assert.equal(kinds.slice(0, 3), ['line', 'line', 'line']);
  assert.is(kinds.filter((kind) => kind === 'scatter').length, 4, 'two steps for each of two costs');
  const line = section.figures[0];
  assert.is(line.kind, 'line');
  if (line.kind === 'line') {
    assert.is(line.series.length, 2);
    assert.ok(line.series[0].band !== undefined, 'median with a min–max band');
  }
  assert.equal(section.tables[1].rows.length, 9, 'eight modes and "none"');
  assert.is(result.claims.length, 1);
  assert.is(result.claims[0].id, 'C12');
  // Tiny runs are shorter than the rule's minimum, so the verdict keeps only the figures.
  assert.is(result.claims[0].verdict, 'not run');
  assert.match(result.claims[0].evidence, /Measured anyway: Ring of 8/);
  assert.match(section.text.join(' '), /4000 steps/);
  // 40 steps learn nothing, and the section states this with the measured rate.
  assert.match(section.text.join(' '), /lie within 3σ of a mode \(over 4 runs\): these runs have not learned the mixture yet/);
  assert.ok(progress.length > 0);
  assert.ok((await fs.readdir(path.join(runsDir, 'ring', 'quick'))).includes('NS__seed1'));
});

test('caveat appears only while most samples are off the modes', () => {
  const run = (highQualityRate: number): ToyRun => ({
    id: 'NS__seed1',
    variant: { label: 'NS', cost: 'ns' },
    seed: 1,
    config: RING_SCALES.quick as unknown as ToyRun['config'],
    status: null,
    rows: [{ step: 10, modesCovered: 8, modeFrequencies: [0.125], highQualityRate }],
    samples: new Map(),
  });
  assert.is(unlearnedCaveat([run(0.9), run(0.6), run(0.2)]), undefined);
  assert.match(unlearnedCaveat([run(0.9), run(0.3), run(0.2)]) ?? '', /a median of 30 % of generated samples/);
});

test('spiral experiment builds table 3', async () => {
  const result = await runSpiral('cpu', context(), tiny(SPIRAL_SCALES.cpu));
  const table = result.sections[0].tables[0];
  assert.equal(table.columns, ['mode', 'real', 'NS', 'MM']);
  assert.is(table.rows.length, 13);
  assert.is(table.rows[0][1], '0.0198');
  assert.is(table.rows[11][1], '0.1469');
  assert.is(result.claims[0].id, 'C12');
});

test('spiral has no quick scale', async () => {
  await runSpiral('quick', context()).then(
    () => assert.unreachable('spiral ran at quick scale'),
    (error: Error) => assert.match(error.message, /runs at scale cpu or gpu/),
  );
});

test.run();

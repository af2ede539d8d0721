import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PAPER_ADAM } from '../src/train/adam.ts';
import { MM_BETA2_GENERATOR_BETA2, resolveTrainConfig } from '../src/train/config.ts';
import { validateRunConfig } from '../src/train/setup.ts';

const RING_SETUP = { module: 'src/train/mixtureSetup.ts', options: { mixture: { kind: 'ring' } } };

test('train config fills the paper defaults', () => {
  const config = resolveTrainConfig({ cost: 'mm-nsat', steps: 10 });
  assert.is(config.batchSize, 128);
  assert.is(config.noiseDimension, 128);
  assert.is(config.schedule, 'simultaneous');
  assert.equal(config.generatorAdam, { ...PAPER_ADAM });
  assert.equal(config.discriminatorAdam, { ...PAPER_ADAM });
  assert.is(config.gradientPenalty, 0);
});

test('MM-β2 is a generator Adam setting', () => {
  const config = resolveTrainConfig({ cost: 'mm', steps: 10, generatorAdam: { beta2: MM_BETA2_GENERATOR_BETA2 } });
  assert.is(config.generatorAdam.beta2, 0.99);
  assert.is(config.generatorAdam.learningRate, 1e-4);
  assert.is(config.discriminatorAdam.beta2, 0.999);
});

test('train config names the bad field and value', () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ cost: 'nss' }, /config.cost is invalid: unknown cost "nss"/],
    [{ cost: 'ns+mm(2)' }, /config.cost is invalid: the constant a in "ns\+mm\(2\)" must be a number in \[0, 1\]/],
    [{ generatorAdam: { learningRate: -1e-4 } }, /config.generatorAdam.learningRate must be a finite number ≥ 0, received -0.0001/],
    [{ discriminatorAdam: { learningRate: -1 } }, /config.discriminatorAdam.learningRate must be a finite number ≥ 0, received -1/],
    [{ batchSize: 0 }, /config.batchSize must be an integer ≥ 1, received 0/],
    [{ steps: 2.5 }, /config.steps must be an integer ≥ 1, received 2.5/],
    [{ generatorAdam: { beta1: 1 } }, /config.generatorAdam.beta1 must be in \[0, 1\), received 1/],
    [{ discriminatorAdam: { beta2: -0.5 } }, /config.discriminatorAdam.beta2 must be in \[0, 1\), received -0.5/],
    [{ schedule: 'sequential' }, /config.schedule must be "simultaneous" or "alternating", received "sequential"/],
    [{ gradientPenalty: -1 }, /config.gradientPenalty must be a finite number ≥ 0, received -1/],
    [{ sampleSteps: [10, 0] }, /config.sampleSteps\[1\] must be an integer ≥ 1, received 0/],
    [{ costOptions: { reduction: 'max' } }, /config.costOptions.reduction must be "mean" or "sum", received "max"/],
    [{ seed: 0.5 }, /config.seed must be a safe integer, received 0.5/],
  ];
  for (const [override, message] of cases) {
    assert.throws(() => resolveTrainConfig({ cost: 'ns', steps: 10, ...override } as never), message, JSON.stringify(override));
  }
});

test('run config rejects a mixture of 0 modes', async () => {
  const bad = { module: RING_SETUP.module, options: { mixture: { kind: 'ring', modes: 0 } } };
  try {
    await validateRunConfig({ train: { cost: 'ns', steps: 10 }, setup: bad });
    assert.unreachable('a ring of 0 modes was accepted');
  } catch (error) {
    assert.instance(error, RangeError);
    assert.match((error as Error).message, /config.setup.options.mixture is invalid: ringMixture: modes must be an integer ≥ 1, received 0/);
  }
});

test('run config rejects unknown setup modules', async () => {
  try {
    await validateRunConfig({ train: { cost: 'ns', steps: 10 }, setup: { module: 'src/train/noSuchSetup.ts', options: {} } });
    assert.unreachable('a missing module was accepted');
  } catch (error) {
    assert.match((error as Error).message, /config.setup.module "src\/train\/noSuchSetup.ts" could not be imported/);
  }
});

test('run config validates train and setup together', async () => {
  const { train } = await validateRunConfig({ train: { cost: 'ns', steps: 10 }, setup: RING_SETUP });
  assert.is(train.cost, 'ns');
  try {
    await validateRunConfig({ train: { cost: 'ns', steps: 10, batchSize: 0 }, setup: RING_SETUP });
    assert.unreachable('batch 0 was accepted');
  } catch (error) {
    assert.match((error as Error).message, /config.batchSize must be an integer ≥ 1, received 0/);
  }
});

test.run();

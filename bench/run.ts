/**
 * `npm run bench`: our GAN step against PyTorch's on the same workloads, measured in the same
 * invocation on the same cores (bench/compare.ts). The comparison is the default because it
 * is the figure users of the suite need. With `--sweep` it prints the older development tables
 * (toy sizes with and without the wasm matMul fix, and the MNIST presets).
 */
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { selectBackend, type BackendInfo } from '../src/backend.ts';
import { formatComparisonTable, runComparison, singleSeedRunner, type ComparisonRow, type StepRunner } from './compare.ts';
import { benchMnistSteps, formatMnistBench } from './mnist.ts';
import { integerOption, parseBenchArgs } from './options.ts';
import { formatProfile, profileSteps } from './profile.ts';
import { DEFAULT_REPEAT_MS, median, timeSteps } from './timing.ts';
import { stepFlops } from './flops.ts';
import { CEILING_MATRIX_SIZE, formatThroughputTable, measureMatMulCeiling } from './throughput.ts';
import { checkTorch, DEFAULT_PYTHON, DEFAULT_TORCH_SCRIPT, runTorchCeiling, type TorchSettings } from './torch.ts';
import { seedBatchRunner } from './seedBatchRunner.ts';
import { runToySweep } from './toySweep.ts';
import { COMPARISON_WORKLOADS, selectWorkloads } from './workloads.ts';

const PROGRAM = 'bench';

const HELP = `Usage: npm run bench -- [options]

Compares ms per GAN step (one D and one G update with Adam) of this suite with PyTorch's
on the same workloads: ${COMPARISON_WORKLOADS.map((workload) => workload.name).join(', ')}.

  --compare               the comparison (the default)
  --backend NAME          tensorflow, wasm or cpu (default: the first that loads)
  --workload NAME         time only this workload (repeatable)
  --rounds N              alternate ours and PyTorch N times per workload (default 1)
  --repeats N             timings per side and round (default 7)
  --warmup N              untimed steps before the timings (default 5)
  --steps N               steps per timing (default: as many as last about --repeat-ms)
  --repeat-ms MS          target length of one timing in milliseconds (default ${DEFAULT_REPEAT_MS})
  --seeds S               also time S seeds trained as one batched program (default 10; 0: skip)
  --profile               also print tf.profile kernel times of our step per workload
  --ceiling               also measure PyTorch's float32 matMul ceiling (ours is always measured)
  --no-torch              time our side only
  --python PATH           Python with torch (default ${DEFAULT_PYTHON})
  --torch-script PATH     the PyTorch baseline script (default ${DEFAULT_TORCH_SCRIPT})
  --torch-threads N       torch.set_num_threads (default: the cores of this machine)

  --sweep                 instead: toy sizes with and without the wasm matMul fix, then MNIST presets
  --toy-only              with --sweep: skip the MNIST presets
`;

const OPTIONS = {
  help: { type: 'boolean' },
  compare: { type: 'boolean' },
  sweep: { type: 'boolean' },
  'toy-only': { type: 'boolean' },
  backend: { type: 'string' },
  workload: { type: 'string', multiple: true },
  rounds: { type: 'string' },
  repeats: { type: 'string' },
  warmup: { type: 'string' },
  steps: { type: 'string' },
  'repeat-ms': { type: 'string' },
  seeds: { type: 'string' },
  profile: { type: 'boolean' },
  ceiling: { type: 'boolean' },
  'no-torch': { type: 'boolean' },
  python: { type: 'string' },
  'torch-script': { type: 'string' },
  'torch-threads': { type: 'string' },
} as const;

type Values = ReturnType<typeof parseBenchArgs<typeof OPTIONS>>;

function describeBackend(backend: BackendInfo): string {
  const replaced = backend.kernels?.length ? `; kernels replaced by this suite: ${backend.kernels.join(', ')}` : '';
  return `tfjs ${tf.version.tfjs}, backend ${backend.name} (${backend.package} ${backend.version}), ${backend.threads} thread(s)${replaced}`;
}

function loadAverage(): string {
  return os.loadavg().map((load) => load.toFixed(2)).join(', ');
}

async function profileWorkload(label: string, runner: StepRunner, stepMs: number): Promise<string> {
  try {
    // A few steps for the small workloads, so that one slow kernel call does not dominate.
    const steps = Math.max(1, Math.min(20, Math.round(200 / stepMs)));
    let index = 0;
    await timeSteps(() => runner.step(++index), () => runner.synchronize(), { repeats: 1, steps: 1, warmup: 3 });
    const profile = await profileSteps(() => runner.step(++index), steps);
    return formatProfile(`${label}, ${steps} step(s) profiled`, profile);
  } finally {
    runner.dispose();
  }
}

async function compare(values: Values, backend: BackendInfo): Promise<void> {
  const workloads = selectWorkloads(values.workload);
  const rounds = integerOption(PROGRAM, 'rounds', values.rounds, 1);
  const repeats = integerOption(PROGRAM, 'repeats', values.repeats, 7);
  const warmup = integerOption(PROGRAM, 'warmup', values.warmup, 5, 0);
  const repeatMs = integerOption(PROGRAM, 'repeat-ms', values['repeat-ms'], DEFAULT_REPEAT_MS);
  const steps = values.steps === undefined ? undefined : integerOption(PROGRAM, 'steps', values.steps, 1);
  const seedCount = integerOption(PROGRAM, 'seeds', values.seeds, 10, 0);
  const cores = os.availableParallelism();

  let torch: TorchSettings | undefined;
  let torchLine: string;
  if (values['no-torch']) {
    torchLine = 'PyTorch: not run (--no-torch)';
  } else {
    const settings: TorchSettings = {
      python: values.python ?? DEFAULT_PYTHON,
      script: values['torch-script'] ?? DEFAULT_TORCH_SCRIPT,
      threads: integerOption(PROGRAM, 'torch-threads', values['torch-threads'], cores),
    };
    const availability = await checkTorch(settings);
    if (availability.available) {
      torch = settings;
      torchLine = `PyTorch: torch ${availability.version} on ${settings.python}, ${settings.threads} thread(s) (torch.set_num_threads), script ${settings.script}`;
    } else {
      torchLine = `${availability.message}. Our figures follow alone.`;
    }
  }

  const loadAverageAtStart = os.loadavg()[0];
  const stepsText = steps === undefined ? `as many consecutive steps as last about ${repeatMs} ms` : `${steps} consecutive steps`;
  console.log(`GAN step, ours against PyTorch on the same workloads; this machine has ${cores} cores (${os.cpus()[0]?.model ?? 'unknown CPU'})`);
  console.log(`ours: ${describeBackend(backend)}; node ${process.version}`);
  console.log(torchLine);
  console.log(
    `Timing: ms per step, median (min–max) of ${repeats} timings per side and round, ${rounds} round(s); each timing is ${stepsText} ` +
      `after ${warmup} warm-up steps, PyTorch with the same settings in its own process.`,
  );
  if (seedCount > 0) {
    console.log(
      `Per seed at S = ${seedCount}: run seeds 1 … ${seedCount} trained as one program on a seed axis (SeedBatchTrainer), its step time divided by ${seedCount}. ` +
        "It feeds D the samples of G's taped forward pass, so it runs G forward once per step where the 1-seed trainer and PyTorch run it twice.",
    );
  }
  console.log(
    'Order: interleaved by workload (ours with 1 seed, ours with S seeds, then PyTorch, then the next workload); the two sides never run at the same time. ' +
      `Ratios are ours / PyTorch per round, median over rounds. Load average at start: ${loadAverage()}.`,
  );
  console.log('');

  const rows: ComparisonRow[] = await runComparison({
    workloads,
    rounds,
    timing: { repeats, warmup, steps, repeatMs },
    batched: seedCount > 0 ? { seedCount, runner: seedBatchRunner } : undefined,
    torch,
    torchRun: { repeats, warmup, repeatMs },
    log: (line) => console.error(line),
  });

  console.log(formatComparisonTable(rows, { torch: torch !== undefined, seeds: seedCount > 0 ? seedCount : undefined }));
  for (const row of rows) {
    if (row.batchedUnavailable !== undefined) console.log(`\n${row.label}, S = ${seedCount}: not measured because ${row.batchedUnavailable}.`);
    if (row.torchError !== undefined) console.log(`\n${row.label}: ${row.torchError}`);
  }
  console.log('');
  const ourCeiling = await measureMatMulCeiling();
  let ceilingLine = `float32 matMul ceiling (${CEILING_MATRIX_SIZE}² products, median): ours ${ourCeiling.toFixed(1)} GFLOP/s`;
  if (values.ceiling && torch !== undefined) {
    try {
      ceilingLine += `, PyTorch ${(await runTorchCeiling(torch)).toFixed(1)} GFLOP/s (best of 1024², 2048², 4096²)`;
    } catch (error) {
      ceilingLine += `; PyTorch's ceiling: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  console.log(ceilingLine);
  console.log('');
  const stepFlopsByName = Object.fromEntries(
    workloads.map((workload) => [workload.name, stepFlops(workload.flopLayers.generator, workload.flopLayers.discriminator, workload.config.batchSize)]),
  );
  console.log(formatThroughputTable(rows, { stepFlops: stepFlopsByName, seeds: seedCount > 0 ? seedCount : undefined, torch: torch !== undefined, ceiling: ourCeiling }));

  const blas = rows.flatMap((row) => row.rounds.flatMap((round) => round.torch?.blas ?? []));
  if (blas.length > 0) console.log(`\nPyTorch's BLAS: ${[...new Set(blas)].join(', ')}`);
  console.log(`Load average at end: ${loadAverage()}.`);
  const busiest = Math.max(loadAverageAtStart, os.loadavg()[0]);
  if (busiest > cores) {
    const threadsNote =
      torch !== undefined && torch.threads > 1
        ? "PyTorch's OpenMP threads then wait on descheduled peers, so its figures can be many times its quiet ones. " +
          'Rerun on a quiet machine, or compare with --torch-threads 1 as well.'
        : 'Every figure is then slower than on a quiet machine; rerun on one for absolute times.';
    console.log(`Warning: the 1-minute load average reached ${busiest.toFixed(1)} on ${cores} cores, so other processes shared them. ${threadsNote}`);
  }
  console.log('\nWhere our networks differ from the baseline:');
  for (const workload of workloads) console.log(`- ${workload.name}: ${workload.differences}`);

  if (values.profile) {
    for (const [index, workload] of workloads.entries()) {
      const stepMs = median(rows[index].rounds.flatMap((round) => round.ours.wallMs));
      console.log(`\n${await profileWorkload(`${workload.label}, 1 seed`, singleSeedRunner(workload), stepMs)}`);
      const batched = seedCount > 0 ? seedBatchRunner(workload, seedCount) : undefined;
      if (batched !== undefined) {
        const batchedMs = median(rows[index].rounds.flatMap((round) => round.batched?.wallMs ?? []));
        console.log(`\n${await profileWorkload(`${workload.label}, S = ${seedCount} seeds batched`, batched, batchedMs)}`);
      }
    }
  }
}

async function sweep(values: Values, backend: BackendInfo): Promise<void> {
  const repeats = integerOption(PROGRAM, 'repeats', values.repeats, 7);
  const steps = integerOption(PROGRAM, 'steps', values.steps, 20);
  const warmup = integerOption(PROGRAM, 'warmup', values.warmup, 10, 0);
  console.log(await runToySweep(backend, { repeats, steps, warmup }));
  if (!values['toy-only']) {
    const mnistOptions = { repeats: Math.min(repeats, 3), steps: Math.max(5, Math.round(steps / 4)), warmup: 2 };
    console.log('');
    console.log(formatMnistBench(await benchMnistSteps(mnistOptions), backend, mnistOptions));
  }
}

async function main(): Promise<void> {
  const values = parseBenchArgs(PROGRAM, process.argv.slice(2), OPTIONS);
  if (values.help) {
    console.log(HELP);
    return;
  }
  if (values.sweep && values.compare) throw new RangeError(`${PROGRAM}: --sweep and --compare exclude each other; pick one`);
  const backend = await selectBackend(values.backend);
  if (values.sweep) await sweep(values, backend);
  else await compare(values, backend);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});

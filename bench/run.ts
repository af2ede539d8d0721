/**
 * `npm run bench`: our GAN step against PyTorch's on the same workloads, measured in the same
 * invocation on the same cores (bench/compare.ts). The comparison is the default because it
 * is the figure users of the suite need. With `--sweep` it prints the older development tables
 * (toy sizes with and without the wasm matMul fix, and the MNIST presets).
 */
import os from 'node:os';
import { selectBackend, type BackendInfo } from '../src/backend.ts';
import { runCompareCommand, type CompareSettings } from './compareCommand.ts';
import { benchMnistSteps, formatMnistBench } from './mnist.ts';
import { integerOption, parseBenchArgs } from './options.ts';
import { DEFAULT_REPEAT_MS } from './timing.ts';
import { DEFAULT_PYTHON, DEFAULT_TORCH_SCRIPT } from './torch.ts';
import { runRingSweepBench } from './ringSweep.ts';
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

  --ring-sweep            instead: wall time of the ring sweep (NS, MM, MM-nsat) through the
                          suite's sweep at cpu-scale settings, timed at two lengths and
                          extrapolated to the cpu scale's steps
  --ring-seeds S          seeds per cost (default 10)
  --ring-steps N          steps of the longer timing (default 2000)
`;

const OPTIONS = {
  help: { type: 'boolean' },
  compare: { type: 'boolean' },
  sweep: { type: 'boolean' },
  'toy-only': { type: 'boolean' },
  'ring-sweep': { type: 'boolean' },
  'ring-seeds': { type: 'string' },
  'ring-steps': { type: 'string' },
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

async function compare(values: Values, backend: BackendInfo): Promise<void> {
  const settings: CompareSettings = {
    workloads: selectWorkloads(values.workload),
    rounds: integerOption(PROGRAM, 'rounds', values.rounds, 1),
    repeats: integerOption(PROGRAM, 'repeats', values.repeats, 7),
    warmup: integerOption(PROGRAM, 'warmup', values.warmup, 5, 0),
    steps: values.steps === undefined ? undefined : integerOption(PROGRAM, 'steps', values.steps, 1),
    repeatMs: integerOption(PROGRAM, 'repeat-ms', values['repeat-ms'], DEFAULT_REPEAT_MS),
    seedCount: integerOption(PROGRAM, 'seeds', values.seeds, 10, 0),
    profile: values.profile ?? false,
    ceiling: values.ceiling ?? false,
    torch: values['no-torch']
      ? undefined
      : {
          python: values.python ?? DEFAULT_PYTHON,
          script: values['torch-script'] ?? DEFAULT_TORCH_SCRIPT,
          threads: integerOption(PROGRAM, 'torch-threads', values['torch-threads'], os.availableParallelism()),
        },
  };
  await runCompareCommand(settings, backend, { print: (line) => console.log(line), progress: (line) => console.error(line) });
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

async function ringSweep(values: Values, backend: BackendInfo): Promise<void> {
  const options = {
    seeds: integerOption(PROGRAM, 'ring-seeds', values['ring-seeds'], 10),
    steps: integerOption(PROGRAM, 'ring-steps', values['ring-steps'], 2000),
  };
  for (const line of await runRingSweepBench(backend, options, (line) => console.error(line))) console.log(line);
}

async function main(): Promise<void> {
  const values = parseBenchArgs(PROGRAM, process.argv.slice(2), OPTIONS);
  if (values.help) {
    console.log(HELP);
    return;
  }
  const modes = (['sweep', 'compare', 'ring-sweep'] as const).filter((mode) => values[mode]);
  if (modes.length > 1) {
    throw new RangeError(`${PROGRAM}: ${modes.map((mode) => `--${mode}`).join(' and ')} exclude each other; pass only one`);
  }
  const backend = await selectBackend(values.backend);
  if (values.sweep) await sweep(values, backend);
  else if (values['ring-sweep']) await ringSweep(values, backend);
  else await compare(values, backend);
}

// Option errors are RangeErrors and exit with 2, as the command line's usage errors do.
main().catch((error) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(error instanceof RangeError ? 2 : 1);
});

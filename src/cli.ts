/**
 * The gan-dynamics command line: `report` runs a suite and writes the HTML report, `sim`
 * runs one simulation, `list` shows what can be run. Usage errors exit with code 2 and one
 * line on stderr, and other failures exit with code 1. An interrupted `report` prints
 * where its runs are kept and exits with 130 (SIGINT) or 143 (SIGTERM).
 */
import { randomInt } from 'node:crypto';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { BackendInfo } from './backend.ts';
import { CLAIM_IDS, CLAIM_TITLES } from './claims/claim.ts';
import { SUITE_NAMES, type SuiteName } from './claims/suites.ts';
import { writeFileAtomic } from './report/atomicWrite.ts';
import { formatDuration } from './report/format.ts';
import { ProgressLog } from './report/progress.ts';
import { sectionToText } from './report/textSummary.ts';
import { resolveShard, type Shard } from './train/shard.ts';

const PROGRAM = 'gan-dynamics';
/** BACKEND_NAMES of backend.ts, repeated because importing that module loads tfjs (seconds). */
const BACKEND_CHOICES = ['tensorflow', 'wasm', 'cpu'] as const;
/** fast-check seeds are 32-bit integers; the CLI takes the non-negative ones. */
const MAX_SEED = 2 ** 31 - 1;
/** Seconds an interrupted `report` waits for the current experiment to reach a checkpoint. */
const INTERRUPT_GRACE_SECONDS = 30;
const EXIT_USAGE = 2;
const EXIT_FAILURE = 1;
const EXIT_CODE_OF_SIGNAL = { SIGINT: 130, SIGTERM: 143 } as const;

/** A mistake in the command line itself: exit code 2 and a one-line message. */
class UsageError extends Error {}

/** A failure the command foresaw and explained in full, so a stack trace would add nothing. */
class PreconditionError extends Error {}

interface OptionSpec {
  name: string;
  /** Placeholder of the value in help text; absent for flags. */
  value?: string;
  choices?: readonly string[];
  help: string;
}

interface ParsedArguments {
  options: Map<string, string | true>;
  positionals: string[];
}

interface Command {
  name: string;
  summary: string;
  usage: string;
  /** Paragraph under the usage line in `--help`. */
  details: string;
  options: OptionSpec[];
  run(parsed: ParsedArguments): Promise<number>;
}

const HELP_OPTION: OptionSpec = { name: 'help', help: 'Print this help and exit.' };

function optionList(options: OptionSpec[]): string {
  return options.map((option) => `--${option.name}`).join(', ');
}

/** Parses `--name value`, `--name=value`, flags and positionals against a command's options. */
function parseArguments(command: Command, argv: string[]): ParsedArguments {
  const prefix = `${PROGRAM} ${command.name}`;
  const parsed: ParsedArguments = { options: new Map(), positionals: [] };
  for (let index = 0; index < argv.length; index++) {
    const token = argv[index];
    if (token === '--') {
      parsed.positionals.push(...argv.slice(index + 1));
      break;
    }
    if (!token.startsWith('-') || token === '-') {
      parsed.positionals.push(token);
      continue;
    }
    const [flag, inlineValue] = token.startsWith('--')
      ? [token.slice(2).split('=')[0], token.includes('=') ? token.slice(token.indexOf('=') + 1) : undefined]
      : [token, undefined];
    const spec = command.options.find((option) => option.name === flag);
    if (spec === undefined) {
      const expected = command.options.length > 0 ? `one of ${optionList(command.options)} or --help` : 'no options but --help';
      throw new UsageError(`${prefix}: unknown option "${token}"; expected ${expected}`);
    }
    if (spec.value === undefined) {
      if (inlineValue !== undefined) {
        throw new UsageError(`${prefix}: option --${spec.name} takes no value, received "${inlineValue}"`);
      }
      parsed.options.set(spec.name, true);
      continue;
    }
    const value = inlineValue ?? argv[index + 1];
    const expected = spec.choices ? `one of ${spec.choices.join(', ')}` : spec.value;
    if (value === undefined || (inlineValue === undefined && value.startsWith('--'))) {
      throw new UsageError(`${prefix}: option --${spec.name} needs a value (${expected})`);
    }
    if (inlineValue === undefined) index++;
    if (spec.choices && !spec.choices.includes(value)) {
      throw new UsageError(`${prefix}: invalid value "${value}" for --${spec.name}; expected ${expected}`);
    }
    parsed.options.set(spec.name, value);
  }
  return parsed;
}

function stringOption(parsed: ParsedArguments, name: string): string | undefined {
  const value = parsed.options.get(name);
  return typeof value === 'string' ? value : undefined;
}

/** Reads the seed from --seed, else from PROPERTY_SEED (as `npm test` does), else draws one. */
function parseSeed(command: string, raw: string | undefined): number {
  const fromEnvironment = process.env.PROPERTY_SEED;
  const source = raw !== undefined ? '--seed' : 'PROPERTY_SEED';
  const text = raw ?? (fromEnvironment === '' ? undefined : fromEnvironment);
  if (text === undefined) return randomInt(0, MAX_SEED);
  const seed = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(seed) || seed > MAX_SEED) {
    throw new UsageError(`${PROGRAM} ${command}: invalid value "${text}" for ${source}; expected an integer in [0, ${MAX_SEED}]`);
  }
  return seed;
}

function expectPositionals(command: string, positionals: string[], names: string[]): void {
  if (positionals.length > names.length) {
    throw new UsageError(`${PROGRAM} ${command}: unexpected argument "${positionals[names.length]}"`);
  }
}

/** Rejects an output path whose folder is missing, before any work starts. */
async function expectWritableFolder(command: string, option: string, folder: string): Promise<void> {
  const info = await stat(folder).catch(() => undefined);
  if (info === undefined || !info.isDirectory()) {
    throw new UsageError(`${PROGRAM} ${command}: ${option} needs an existing folder, but ${folder} is not one; create it first`);
  }
}

/** Rejects an input folder that does not exist, before any work starts. */
async function expectExistingFolder(command: string, option: string, folder: string): Promise<void> {
  const info = await stat(folder).catch(() => undefined);
  if (info === undefined || !info.isDirectory()) {
    throw new UsageError(`${PROGRAM} ${command}: ${option} needs an existing folder, but ${folder} ${info === undefined ? 'does not exist' : 'is not a folder'}`);
  }
}

/** Rejects a path that exists but is not a folder, for options that name a folder to create or reuse. */
async function expectFolderOrAbsent(command: string, option: string, folder: string): Promise<void> {
  const info = await stat(folder).catch(() => undefined);
  if (info !== undefined && !info.isDirectory()) {
    throw new UsageError(`${PROGRAM} ${command}: ${option} needs a folder to create or reuse, but ${folder} is a file`);
  }
}

/** Width at which help paragraphs wrap. */
const HELP_WIDTH = 88;

function wrap(text: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > HELP_WIDTH) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  return [...lines, line].join('\n');
}

function commandHelp(command: Command): string {
  const options = [...command.options, HELP_OPTION].map((option) => {
    const head = option.value === undefined ? `--${option.name}` : `--${option.name} ${option.value}`;
    const alias = option.name === 'help' ? '-h, ' : '    ';
    return `  ${alias}${head.padEnd(24)} ${option.help}`;
  });
  return [`Usage: ${PROGRAM} ${command.usage}`, '', wrap(command.summary), '', wrap(command.details), '', 'Options:', ...options, ''].join('\n');
}

/** Installs SIGINT and SIGTERM handlers that stop `report` cleanly. A second signal exits at once. */
/** Signals closer than this to the first are copies of it, not a second request. */
const REPEATED_SIGNAL_MS = 1000;

function watchInterrupts(controller: AbortController, runsDir: string, log: ProgressLog) {
  const state = { exitCode: 0 };
  const advice = `Runs and their latest checkpoints are kept in ${runsDir}; rerun the same command to resume.`;
  let firstAt = 0;
  const handler = (signal: 'SIGINT' | 'SIGTERM') => {
    const code = EXIT_CODE_OF_SIGNAL[signal];
    // Under `npm start` one Ctrl-C reaches this process twice: from the terminal and
    // forwarded by npm or tsx. Only a signal well after the first is a second request.
    if (controller.signal.aborted && performance.now() - firstAt < REPEATED_SIGNAL_MS) return;
    if (controller.signal.aborted) {
      process.stderr.write(`\n${signal} received again: exiting now. ${advice}\n`);
      process.exit(code);
    }
    state.exitCode = code;
    firstAt = performance.now();
    log.info(`${signal} received: each training run saves a checkpoint after its current step and stops (send it again to exit at once).`);
    controller.abort(new Error(`interrupted by ${signal}`));
    setTimeout(() => {
      process.stderr.write(`Stopping took over ${INTERRUPT_GRACE_SECONDS} s: exiting now. ${advice}\n`);
      process.exit(code);
    }, INTERRUPT_GRACE_SECONDS * 1000).unref();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    state,
    advice,
    remove(): void {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

function describeBackend(backend: BackendInfo): string {
  return `${backend.name} (${backend.package} ${backend.version}, ${backend.threads} ${backend.threads === 1 ? 'thread' : 'threads'})`;
}

const reportCommand: Command = {
  name: 'report',
  summary: 'Run a suite (properties, simulations, experiments) and write the HTML report and results.json.',
  usage: 'report [--suite quick|paper-cpu|paper-gpu] [--out DIR] [--runs DIR] [--backend tensorflow|wasm|cpu] [--seed N] [--shard I/N] [--experiments NAMES] [--data DIR] [--inception DIR] [--force]',
  details:
    'Every suite runs all claim properties and simulations. quick runs each experiment at its quick scale ' +
    '(minutes on 2 cores), paper-cpu at its cpu scale, and paper-gpu at full scale (the epochs and sizes of ' +
    'the original experiments), which needs the tensorflow backend (tfjs-node-gpu). Training runs are ' +
    'stored under the runs folder, and rerunning the same command resumes them.',
  options: [
    { name: 'suite', value: 'NAME', choices: SUITE_NAMES, help: 'Suite to run: quick (default), paper-cpu or paper-gpu.' },
    { name: 'out', value: 'DIR', help: 'Folder for index.html, plotly.js and results.json (default: reports).' },
    { name: 'runs', value: 'DIR', help: 'Folder of the run store, where training runs are kept and resumed (default: runs).' },
    { name: 'backend', value: 'NAME', choices: BACKEND_CHOICES, help: 'tfjs backend to use; default: the first that loads of tensorflow, wasm, cpu.' },
    { name: 'seed', value: 'N', help: `fast-check seed of the properties, an integer in [0, ${MAX_SEED}] (default: PROPERTY_SEED, else random; the report shows it).` },
    { name: 'force', help: 'Run the paper-gpu suite on a backend other than tensorflow.' },
    {
      name: 'experiments',
      value: 'NAMES',
      help: 'Comma-separated experiment names (see `list`) to run at the suite\'s scale; the others are listed as not selected. Default: every experiment.',
    },
    {
      name: 'data',
      value: 'DIR',
      help:
        'Data directory filled by `data fetch` (cifar10, cat, ffhq below it), for the CIFAR-10, CAT and FFHQ experiments. ' +
        'Without it their claims read not run.',
    },
    {
      name: 'inception',
      value: 'DIR',
      help:
        'Folder of an InceptionV3 TensorFlow.js graph model (model.json and its weight shards) whose 2048 pool features FID uses. ' +
        'Without it FID is not run.',
    },
    {
      name: 'shard',
      value: 'I/N',
      help:
        'Train only runs I, I + N, I + 2N, … of each sweep (I from 0), for array jobs; the report shows the runs found so far. ' +
        'Default: SLURM_ARRAY_TASK_ID of SLURM_ARRAY_TASK_COUNT when set, else every run.',
    },
  ],
  async run(parsed) {
    expectPositionals('report', parsed.positionals, []);
    const suite = (stringOption(parsed, 'suite') ?? 'quick') as SuiteName;
    const outDir = path.resolve(stringOption(parsed, 'out') ?? 'reports');
    const runsDir = path.resolve(stringOption(parsed, 'runs') ?? 'runs');
    await expectFolderOrAbsent('report', '--out', outDir);
    await expectFolderOrAbsent('report', '--runs', runsDir);
    const seed = parseSeed('report', stringOption(parsed, 'seed'));
    const shard = parseShardOption(stringOption(parsed, 'shard'));
    const dataOption = stringOption(parsed, 'data');
    const dataDir = dataOption === undefined ? undefined : path.resolve(dataOption);
    if (dataDir !== undefined) await expectExistingFolder('report', '--data', dataDir);
    const inceptionOption = stringOption(parsed, 'inception');
    const inception = inceptionOption === undefined ? undefined : path.resolve(inceptionOption);
    if (inception !== undefined) {
      await expectExistingFolder('report', '--inception', inception);
      const model = path.join(inception, 'model.json');
      if ((await stat(model).catch(() => undefined))?.isFile() !== true) {
        throw new UsageError(`${PROGRAM} report: --inception needs a folder with a TensorFlow.js graph model of InceptionV3, but ${model} was not found`);
      }
    }
    const { experiments } = await import('../experiments/index.ts');
    const only = parseExperimentNames(stringOption(parsed, 'experiments'), experiments.map((experiment) => experiment.name));
    const started = performance.now();
    const log = new ProgressLog(process.stderr);

    const { selectBackend } = await import('./backend.ts');
    const backend = await selectBackend(stringOption(parsed, 'backend'));
    log.info(`backend: ${describeBackend(backend)}`);
    for (const reason of backend.skipped) log.info(`  not loaded: ${reason}`);
    if (suite === 'paper-gpu' && backend.name !== 'tensorflow' && !parsed.options.has('force')) {
      throw new PreconditionError(
        `the paper-gpu suite trains at full scale and needs the tensorflow backend, but ${backend.name} was loaded. ` +
          'Install @tensorflow/tfjs-node-gpu on a machine with CUDA, run the paper-cpu suite instead, or pass --force.',
      );
    }

    const [{ allClaimProperties }, { simulations }, { runSuite }, { writeReport }] = await Promise.all([
      import('../properties/index.ts'),
      import('../sims/index.ts'),
      import('./report/suite.ts'),
      import('./report/writeReport.ts'),
    ]);
    const controller = new AbortController();
    const interrupts = watchInterrupts(controller, runsDir, log);
    let data;
    try {
      data = await runSuite(
        { properties: allClaimProperties, simulations, experiments },
        { suite, backend, runsDir, seed, log, signal: controller.signal, shard, only, dataDir, inception },
      );
    } catch (error) {
      if (!controller.signal.aborted) throw error;
      log.info(`Stopped. ${interrupts.advice}`);
      return interrupts.state.exitCode;
    } finally {
      interrupts.remove();
    }

    const files = await writeReport(outDir, data);
    const counts = (['held', 'not held', 'not run'] as const)
      .map((verdict) => `${data.claims.filter((claim) => claim.verdict === verdict).length} ${verdict}`)
      .join(', ');
    process.stdout.write(
      `Claims: ${counts}.\nReport: ${files.index}\nResults: ${files.results}\n` +
        `Suite ${suite} took ${formatDuration((performance.now() - started) / 1000)} of wall time.\n`,
    );
    if (data.failures.length > 0) {
      const parts = data.failures.map((failure) => failure.part).join(', ');
      process.stderr.write(`${PROGRAM} report: ${data.failures.length} part(s) failed (${parts}); see the Failures section of the report.\n`);
      return EXIT_FAILURE;
    }
    return 0;
  },
};

const simCommand: Command = {
  name: 'sim',
  summary: 'Run one simulation with its default options and print a short summary, or its result as JSON.',
  usage: 'sim NAME [--json] [--out FILE]',
  details: `NAME is one of the simulations that \`${PROGRAM} list\` shows. Progress goes to stderr.`,
  options: [
    { name: 'json', help: 'Print the result as JSON on stdout instead of the text summary.' },
    { name: 'out', value: 'FILE', help: 'Also write the result as JSON to FILE.' },
  ],
  async run(parsed) {
    const { simulations } = await import('../sims/index.ts');
    const names = simulations.map((simulation) => simulation.name).join(', ');
    const name = parsed.positionals[0];
    if (name === undefined) throw new UsageError(`${PROGRAM} sim: missing simulation name; expected one of ${names}`);
    expectPositionals('sim', parsed.positionals, ['NAME']);
    const simulation = simulations.find((candidate) => candidate.name === name);
    if (simulation === undefined) throw new UsageError(`${PROGRAM} sim: unknown simulation "${name}"; expected one of ${names}`);
    const outFile = stringOption(parsed, 'out');
    if (outFile !== undefined) await expectWritableFolder('sim', '--out', path.dirname(path.resolve(outFile)));

    const log = new ProgressLog(process.stderr);
    const started = performance.now();
    const result = simulation.run(simulation.defaults, (fraction, label) => {
      log.status(`simulation ${name}: ${Math.round(fraction * 100)} % ${label}`);
    });
    log.info(`simulation ${name}: done in ${formatDuration((performance.now() - started) / 1000)}`);
    const json = `${JSON.stringify(result, null, 2)}\n`;
    const out = stringOption(parsed, 'out');
    if (out !== undefined) {
      await writeFileAtomic(path.resolve(out), json);
      log.info(`wrote ${path.resolve(out)}`);
    }
    process.stdout.write(parsed.options.has('json') ? json : `${sectionToText(simulation.toSection(result))}\n`);
    return 0;
  },
};

const listCommand: Command = {
  name: 'list',
  summary: 'List the simulations, the experiments with their scales, and the claims.',
  usage: 'list',
  details: `Names listed here are what \`${PROGRAM} sim NAME\` and the report's sections use.`,
  options: [],
  async run(parsed) {
    expectPositionals('list', parsed.positionals, []);
    const [{ simulations }, { experiments }] = await Promise.all([import('../sims/index.ts'), import('../experiments/index.ts')]);
    const lines = ['Simulations (gan-dynamics sim NAME):'];
    const simulationWidth = Math.max(0, ...simulations.map((simulation) => simulation.name.length));
    lines.push(...simulations.map((simulation) => `  ${simulation.name.padEnd(simulationWidth)}  ${simulation.description}`));
    lines.push('', 'Experiments (run by gan-dynamics report):');
    if (experiments.length === 0) lines.push('  none yet');
    for (const experiment of experiments) {
      lines.push(`  ${experiment.name} (${experiment.figure}): ${experiment.description}`);
      lines.push(`    scales: ${experiment.scales.join(', ')}; claims: ${experiment.claims.join(', ')}`);
    }
    lines.push('', 'Claims:');
    lines.push(...CLAIM_IDS.map((id) => `  ${id.padEnd(3)}  ${CLAIM_TITLES[id]}`));
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  },
};

/** Reads `--experiments a,b` as known experiment names, as a usage error naming the unknown one. */
function parseExperimentNames(raw: string | undefined, known: string[]): string[] | undefined {
  if (raw === undefined) return undefined;
  const names = raw.split(',').map((name) => name.trim()).filter((name) => name !== '');
  if (names.length === 0) throw new UsageError(`${PROGRAM} report: --experiments needs at least one name; expected some of ${known.join(', ')}`);
  for (const name of names) {
    if (!known.includes(name)) {
      throw new UsageError(`${PROGRAM} report: unknown experiment "${name}" in --experiments; expected some of ${known.join(', ')}`);
    }
  }
  return names;
}

/** Reads `--shard i/n`, else a Slurm array job's task, as a usage error when malformed. */
function parseShardOption(text: string | undefined): Shard {
  try {
    return resolveShard(text, process.env);
  } catch (error) {
    throw new UsageError(`${PROGRAM} report: ${firstLine(error)}`);
  }
}

const COMMANDS: Command[] = [reportCommand, simCommand, listCommand];
const COMMAND_NAMES = [...COMMANDS.map((command) => command.name), 'data'].join(', ');

function programHelp(): string {
  return [
    `Usage: ${PROGRAM} <command> [options]`,
    '',
    wrap('The theory of GAN sample weighting as code: property tests, simulations, GAN training experiments and HTML reports.'),
    '',
    'Commands:',
    ...COMMANDS.map((command) => `  ${command.name.padEnd(8)} ${command.summary}`),
    `  ${'data'.padEnd(8)} Fetch CIFAR-10, CAT or FFHQ into a folder, or check what a folder contains.`,
    '',
    `Run \`${PROGRAM} <command> --help\` for a command's options.`,
    'Set GAN_DYNAMICS_DEBUG=1 to print stack traces of failures.',
    '',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    throw new UsageError(`${PROGRAM}: missing command; expected one of ${COMMAND_NAMES} (see ${PROGRAM} --help)`);
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    const topic = COMMANDS.find((command) => command.name === rest[0]);
    process.stdout.write(topic ? commandHelp(topic) : programHelp());
    return 0;
  }
  if (name === 'data') {
    // The data command parses its own arguments and prints its own help.
    const { runDataCommand } = await import('./data/fetch.ts');
    return runDataCommand(rest);
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (command === undefined) {
    const kind = name.startsWith('-') ? 'option' : 'command';
    throw new UsageError(
      `${PROGRAM}: unknown ${kind} "${name}"; expected one of ${COMMAND_NAMES} (see ${PROGRAM} --help)`,
    );
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(commandHelp(command));
    return 0;
  }
  return command.run(parseArguments(command, rest));
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}

const debug = process.env.GAN_DYNAMICS_DEBUG === '1';
let exitCode: number;
try {
  exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) {
    process.stderr.write(`${error.message}\n`);
    exitCode = EXIT_USAGE;
  } else {
    const prefix = `${PROGRAM} ${process.argv[2] ?? ''}`.trimEnd();
    process.stderr.write(debug && error instanceof Error ? `${prefix}: ${error.stack}\n` : `${prefix}: ${firstLine(error)}\n`);
    if (!debug && !(error instanceof PreconditionError)) process.stderr.write('Set GAN_DYNAMICS_DEBUG=1 to print the stack trace.\n');
    exitCode = EXIT_FAILURE;
  }
}
// Exits explicitly, because a loaded tfjs backend can keep handles open after the work is
// done. Writes to a pipe are asynchronous, so the exit waits until stdout and stderr drain.
process.exitCode = exitCode;
process.stdout.write('', () => process.stderr.write('', () => process.exit(exitCode)));

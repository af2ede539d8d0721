/**
 * Runs a suite: every claim property, every simulation with its defaults and every
 * experiment at the suite's scale, then computes the claims' verdicts from what ran.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendInfo } from '../backend.ts';
import type { ClaimProperty } from '../../properties/claimProperty.ts';
import type { Simulation } from '../../sims/simulation.ts';
import type { Experiment, ExperimentResult, Scale } from '../../experiments/experiment.ts';
import type { SimulationRecord } from '../claims/evidence.ts';
import { runClaimProperties } from '../claims/propertyFindings.ts';
import { readSimulationEvidence } from '../claims/simulationFindings.ts';
import { computeClaimOutcomes } from '../claims/registry.ts';
import { SCALE_OF_SUITE, type SuiteName } from '../claims/suites.ts';
import { formatDuration } from './format.ts';
import { describeProgress, type ProgressLog, type RateOrigin } from './progress.ts';
import type { ReportData, SuiteFailure } from './reportData.ts';
import type { Shard } from '../train/shard.ts';

export interface SuiteParts {
  properties: ClaimProperty[];
  // Each simulation has its own option and result types; the suite only passes them through.
  simulations: Simulation<any, any>[];
  experiments: Experiment[];
}

export interface SuiteOptions {
  suite: SuiteName;
  backend: BackendInfo;
  runsDir: string;
  /** fast-check seed for the properties. */
  seed: number;
  log: ProgressLog;
  /** Aborting stops the suite between steps and experiments at their next checkpoint. */
  signal?: AbortSignal;
  /** The part of each experiment's sweep to train here; the whole sweep when absent. */
  shard?: Shard;
  /** Names of the experiments to run at the suite's scale; all of them when absent. */
  only?: string[];
  /** Data directory of CIFAR-10, CAT and FFHQ, passed to every experiment. */
  dataDir?: string;
  /** Folder of the InceptionV3 graph model for FID, passed to every experiment. */
  inception?: string;
}

function seconds(): number {
  return performance.now() / 1000;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Runs one simulation with its defaults; a simulation that throws becomes a failure. */
function runSimulation(simulation: Simulation<any, any>, log: ProgressLog): SimulationRecord | SuiteFailure {
  const started = seconds();
  try {
    const result = simulation.run(simulation.defaults, (fraction, label) => {
      log.status(`simulation ${simulation.name}: ${Math.round(fraction * 100)} % ${label}`);
    });
    const section = simulation.toSection(result);
    const evidence = readSimulationEvidence(simulation.name, result);
    const elapsed = seconds() - started;
    log.info(`simulation ${simulation.name}: done in ${formatDuration(elapsed)}`);
    return {
      name: simulation.name,
      description: simulation.description,
      options: simulation.defaults,
      result,
      section,
      evidence,
      seconds: elapsed,
    };
  } catch (error) {
    log.info(`simulation ${simulation.name}: failed: ${messageOf(error)}`);
    return { part: `simulation ${simulation.name}`, message: messageOf(error) };
  }
}

/** Prefix of a failure's part that names an experiment, as in "experiment ring". */
const EXPERIMENT_PART = 'experiment ';

async function runExperiment(
  experiment: Experiment,
  scale: Scale,
  options: SuiteOptions,
): Promise<ExperimentResult | SuiteFailure> {
  const started = seconds();
  const log = options.log;
  let origin: RateOrigin | undefined;
  try {
    const result = await experiment.run(scale, {
      runsDir: options.runsDir,
      backend: options.backend,
      signal: options.signal,
      shard: options.shard,
      dataDir: options.dataDir,
      inception: options.inception,
      notice: (line) => log.info(`experiment ${experiment.name}: ${line}`),
      progress: (done, total, label, finishedBefore = 0) => {
        const now = seconds();
        // The rate starts at the first report of training progress, after the experiment's setup.
        if (origin === undefined && done > finishedBefore) origin = { time: now, done };
        const described = describeProgress(done, total, started, now, finishedBefore, origin ?? { time: now, done });
        log.status(`experiment ${experiment.name}: ${described}: ${label}`);
      },
    });
    log.info(`experiment ${experiment.name}: done in ${formatDuration(seconds() - started)}, ${result.runs.length} runs`);
    return result;
  } catch (error) {
    // An interrupted experiment is not a failure of the experiment.
    options.signal?.throwIfAborted();
    log.info(`experiment ${experiment.name}: failed: ${messageOf(error)}`);
    return { part: `${EXPERIMENT_PART}${experiment.name}`, message: messageOf(error) };
  }
}

/** Lets signal handlers and progress output run between synchronous steps. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function isFailure(value: object): value is SuiteFailure {
  return 'part' in value && 'message' in value;
}

export async function runSuite(parts: SuiteParts, options: SuiteOptions): Promise<ReportData> {
  const started = seconds();
  const scale = SCALE_OF_SUITE[options.suite];
  const { log, signal } = options;
  const failures: SuiteFailure[] = [];

  // Read without initialising tfjs: undefined until some backend has been set.
  const backendBefore: string | undefined = tf.engine().backendName;
  log.info(`properties: running ${parts.properties.length} with seed ${options.seed}`);
  const properties = await runClaimProperties(parts.properties, {
    seed: options.seed,
    signal,
    onStart: (index, total, definition) => log.status(`property ${index + 1}/${total} (${definition.claim}): ${definition.name}`),
  });
  const failed = properties.filter((record) => !record.passed).length;
  log.info(`properties: ${properties.length - failed} passed, ${failed} failed, in ${formatDuration(seconds() - started)}`);
  // Some properties switch tfjs backends to compare them; the rest of the suite runs on the
  // backend that was current before, which the command line selected.
  if (backendBefore !== undefined && tf.getBackend() !== backendBefore) await tf.setBackend(backendBefore);

  const simulations: SimulationRecord[] = [];
  for (const simulation of parts.simulations) {
    await yieldToEventLoop();
    signal?.throwIfAborted();
    const outcome = runSimulation(simulation, log);
    if (isFailure(outcome)) failures.push(outcome);
    else simulations.push(outcome);
  }

  const experiments: ExperimentResult[] = [];
  const skippedExperiments: ReportData['skippedExperiments'] = [];
  const selected = (experiment: Experiment) => options.only === undefined || options.only.includes(experiment.name);
  const planned = parts.experiments.filter((experiment) => experiment.scales.includes(scale) && selected(experiment));
  for (const experiment of parts.experiments) {
    if (!experiment.scales.includes(scale)) {
      skippedExperiments.push({ name: experiment.name, reason: `runs at scale ${experiment.scales.join(', ')} only` });
    } else if (!selected(experiment)) {
      skippedExperiments.push({ name: experiment.name, reason: `not selected: this report ran only ${options.only!.join(', ')}` });
    }
  }
  for (const [index, experiment] of planned.entries()) {
    await yieldToEventLoop();
    signal?.throwIfAborted();
    log.info(`experiment ${index + 1}/${planned.length}: ${experiment.name} (${experiment.figure}) at scale ${scale}`);
    const outcome = await runExperiment(experiment, scale, options);
    if (isFailure(outcome)) failures.push(outcome);
    else experiments.push(outcome);
  }
  signal?.throwIfAborted();

  const notSelected = parts.experiments.filter((experiment) => experiment.scales.includes(scale) && !selected(experiment));
  const claims = computeClaimOutcomes({
    properties,
    simulations,
    experiments,
    catalogue: parts.experiments,
    scale,
    notSelected: notSelected.map((experiment) => experiment.name),
    failed: failures
      .filter((failure) => failure.part.startsWith(EXPERIMENT_PART))
      .map((failure) => ({ name: failure.part.slice(EXPERIMENT_PART.length), message: failure.message.split('\n')[0] })),
  });
  return {
    generated: new Date().toISOString(),
    backend: options.backend,
    suite: options.suite,
    scale,
    inception: options.inception ?? null,
    seed: options.seed,
    seconds: seconds() - started,
    properties,
    simulations,
    experiments,
    skippedExperiments,
    failures,
    claims,
  };
}

/**
 * The shape every experiment shares. An experiment reproduces one paper figure or table by
 * training GANs at a scale, with its runs under a run store. It turns the results into
 * report sections and computes the verdicts of the claims it gives evidence for.
 */
import type { BackendInfo } from '../src/backend.ts';
import type { ClaimOutcome } from '../src/claims/claim.ts';
import type { Section } from '../src/figures.ts';
import type { Shard } from '../src/train/shard.ts';

/**
 * quick: minutes on 2 cores, part of `npm start`; cpu: the paper-cpu suite, fewer epochs
 * than the paper; gpu: the paper's scale, for a machine where tfjs-node-gpu loads.
 */
export type Scale = 'quick' | 'cpu' | 'gpu';

/**
 * Progress of a long job: completed and total units, with a label such as a run's name,
 * and the units finished by an earlier command (resumed runs), which took no time here.
 * `done` may carry the finished share of units still in progress, as in 2.4 of 4.
 */
export type ExperimentProgress = (done: number, total: number, label: string, finishedBefore?: number) => void;

export interface ExperimentContext {
  /** Folder of the run store; each run writes one folder below it and resumes from it. */
  runsDir: string;
  backend: BackendInfo;
  progress: ExperimentProgress;
  /** Prints a line that stays on screen, such as a run folder set aside. Progress lines may overwrite each other. */
  notice?: (line: string) => void;
  /** Set when the user interrupts; experiments stop at the next checkpoint. */
  signal?: AbortSignal;
  /** The part of every sweep this process trains; runs of other shards are only read. */
  shard?: Shard;
  /**
   * Data directory that `gan-dynamics data fetch` fills (CIFAR-10, CAT, FFHQ). Experiments
   * on those datasets report their claims as not run when it is absent.
   */
  dataDir?: string;
  /**
   * Folder of the InceptionV3 tfjs graph model (model.json and its shards). FID is computed
   * only with it; without it FID is not run.
   */
  inception?: string;
}

/** One training run as listed in results.json. */
export interface RunSummary {
  id: string;
  experiment: string;
  config: Record<string, unknown>;
  /** `stopped`: stopped at a checkpoint on request, so rerunning resumes it; `incomplete`: failed or never finished. */
  status: 'complete' | 'diverged' | 'stopped' | 'incomplete';
  backend: BackendInfo;
  /** Final figures of the run, for example modes covered or gradient norm. */
  metrics: Record<string, number>;
  /**
   * The run's share of machine time over every session that trained it, in seconds (a
   * seed-batched program's wall time split among its seeds). Absent for a run never started.
   */
  machineSeconds?: number;
}

export interface ExperimentResult {
  experiment: string;
  scale: Scale;
  sections: Section[];
  claims: ClaimOutcome[];
  runs: RunSummary[];
  /** Wall time in seconds. */
  seconds: number;
}

export interface Experiment {
  /** Name on the command line and folder name under the run store. */
  name: string;
  /** Paper figure or table it reproduces, e.g. "fig. 4". */
  figure: string;
  description: string;
  /** Claims it gives evidence for, e.g. ["C12"]. */
  claims: string[];
  scales: Scale[];
  run(scale: Scale, context: ExperimentContext): Promise<ExperimentResult>;
}

/**
 * Splitting a sweep over several machines or array jobs. Shard i of n (0 ≤ i < n) takes the
 * runs at positions i, i + n, i + 2n, … of the sweep's run list, so the n shards partition
 * the runs. Without `--shard`, a Slurm array job shards itself: index SLURM_ARRAY_TASK_ID −
 * SLURM_ARRAY_TASK_MIN of SLURM_ARRAY_TASK_COUNT.
 */

export interface Shard {
  index: number;
  count: number;
}

export const WHOLE_SWEEP: Shard = Object.freeze({ index: 0, count: 1 });

/** Parses "i/n" (0-based i); throws naming the text when it is not a valid shard. */
export function parseShard(text: string): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (match === null) {
    throw new RangeError(`--shard must be written i/n with 0 ≤ i < n, received "${text}"`);
  }
  const shard = { index: Number(match[1]), count: Number(match[2]) };
  if (shard.count < 1 || shard.index >= shard.count) {
    throw new RangeError(`--shard must be written i/n with 0 ≤ i < n, received "${text}"`);
  }
  return shard;
}

/** Returns the shard from `--shard` if given, else from Slurm's array variables, else the whole sweep. */
export function resolveShard(text: string | undefined, env: NodeJS.ProcessEnv = process.env): Shard {
  if (text !== undefined) return parseShard(text);
  const { SLURM_ARRAY_TASK_ID: id, SLURM_ARRAY_TASK_COUNT: count, SLURM_ARRAY_TASK_MIN: min } = env;
  if (id === undefined || count === undefined) return WHOLE_SWEEP;
  const index = Number(id) - Number(min ?? 0);
  return parseShard(`${index}/${count}`);
}

/** Returns the runs of one shard, in sweep order. */
export function shardRuns<T>(runs: readonly T[], shard: Shard): T[] {
  return runs.filter((_, position) => position % shard.count === shard.index);
}

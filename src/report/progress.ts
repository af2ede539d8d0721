/**
 * Progress messages of long commands, written to stderr. On a terminal a status line is
 * redrawn in place. Elsewhere (a log file, CI) a status becomes a plain line, printed at
 * most once per PLAIN_STATUS_INTERVAL so that logs stay short.
 */
import { formatDuration } from './format.ts';

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Seconds between two plain status lines of the same task. */
export const PLAIN_STATUS_INTERVAL = 10;

export class ProgressLog {
  private readonly stream: ProgressStream;
  private readonly now: () => number;
  private statusShown = false;
  private lastPlainStatus = -Infinity;

  constructor(stream: ProgressStream, now: () => number = () => performance.now() / 1000) {
    this.stream = stream;
    this.now = now;
  }

  /** Prints a line that stays, clearing a status line drawn before it. */
  info(line: string): void {
    this.clearStatus();
    this.stream.write(`${line}\n`);
    this.lastPlainStatus = -Infinity;
  }

  /** Shows a transient status, such as "step 40/200". */
  status(text: string): void {
    if (this.stream.isTTY) {
      const width = Math.max(20, (this.stream.columns ?? 100) - 1);
      this.stream.write(`\r\x1b[K${text.length > width ? `${text.slice(0, width - 1)}…` : text}`);
      this.statusShown = true;
      return;
    }
    const time = this.now();
    if (time - this.lastPlainStatus < PLAIN_STATUS_INTERVAL) return;
    this.lastPlainStatus = time;
    this.stream.write(`${text}\n`);
  }

  private clearStatus(): void {
    if (this.statusShown) this.stream.write('\r\x1b[K');
    this.statusShown = false;
  }
}

/** Progress and time, in seconds, at which the rate of the estimate starts. */
export interface RateOrigin {
  time: number;
  done: number;
}

/** Share of the remaining work that must be done at the measured rate before an estimate is shown. */
const ESTIMATE_AFTER_SHARE = 0.02;

/**
 * Describes progress as "done/total, elapsed 1 min 02 s, about 3 min 10 s left" from a
 * start time in seconds. `finishedBefore` counts units that an earlier command finished
 * (resumed runs), which took no time here and so do not enter the rate. A fractional `done`
 * counts units in progress by their finished share: it enters the rate, while the count
 * shows whole units. With `origin`, the rate is measured from that moment, so that setup
 * before the first training step (workers starting, a classifier training) does not make
 * the first estimates many times too long.
 */
export function describeProgress(
  done: number,
  total: number,
  startedAt: number,
  now: number,
  finishedBefore = 0,
  origin: RateOrigin = { time: startedAt, done: finishedBefore },
): string {
  const elapsed = now - startedAt;
  const parts = [`${Math.floor(done)}/${total}`, `elapsed ${formatDuration(elapsed)}`];
  const doneSinceOrigin = done - origin.done;
  const enough = doneSinceOrigin > 0 && doneSinceOrigin >= ESTIMATE_AFTER_SHARE * (total - origin.done);
  if (enough && now > origin.time && total > done) {
    parts.push(`about ${formatDuration(((now - origin.time) / doneSinceOrigin) * (total - done))} left`);
  }
  return parts.join(', ');
}

/**
 * A sweep worker: a child process (node --import tsx) that trains the runs its parent sends,
 * one request at a time, and reports progress over IPC. A `batch` request lists runs that
 * differ only in their seed, which train together as one seed-batched program
 * (seedBatchRun.ts). Started by sweep.ts with
 * `--backend NAME` (optional; the best available backend otherwise).
 *
 * SIGINT, SIGTERM or a lost parent stop the current run at its next step with a
 * checkpoint, so the run can resume where it stopped. Then the worker exits.
 */
import { selectBackend, type BackendInfo } from '../backend.ts';
import { installWasmMatMulFix } from '../kernels/wasmMatMul.ts';
import { trainSeedBatch, type SeedBatchRun } from './seedBatchRun.ts';
import type { RunConfig } from './setup.ts';
import { trainRun, type TrainRunResult } from './trainRun.ts';

export type WorkerRequest =
  | { type: 'run'; id: string; dir: string; config: RunConfig }
  | { type: 'batch'; runs: SeedBatchRun[] }
  | { type: 'stop' };

export type WorkerReply =
  | { type: 'ready'; backend: BackendInfo }
  | { type: 'progress'; id: string; step: number; steps: number }
  | { type: 'finished'; id: string; result: TrainRunResult }
  | { type: 'failed'; id: string; error: string };

/** Sends a reply and resolves once it is handed to the channel, so exiting cannot drop it. */
function send(reply: WorkerReply): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined || !process.connected) return resolve();
    process.send(reply, undefined, {}, () => resolve());
  });
}

function requestedBackend(argv: string[]): string | undefined {
  const index = argv.indexOf('--backend');
  return index >= 0 ? argv[index + 1] : undefined;
}

async function main(): Promise<void> {
  if (process.send === undefined) {
    throw new Error('sweepWorker: must be started as a child process with an IPC channel (child_process.fork)');
  }
  const backend = await selectBackend(requestedBackend(process.argv));
  if (backend.name === 'wasm') installWasmMatMulFix();

  let current: AbortController | null = null;
  let stopping = false;
  const stop = () => {
    stopping = true;
    if (current === null) process.exit(0);
    current.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);

  const queue: Exclude<WorkerRequest, { type: 'stop' }>[] = [];
  let busy = false;
  const next = async () => {
    if (busy) return;
    busy = true;
    while (queue.length > 0 && !stopping) {
      const request = queue.shift()!;
      current = new AbortController();
      const ids = request.type === 'run' ? [request.id] : request.runs.map((run) => run.id);
      const reported = new Set<string>();
      try {
        if (request.type === 'run') {
          const result = await trainRun(request.dir, request.config, {
            backend,
            signal: current.signal,
            onProgress: (step, steps) => void send({ type: 'progress', id: request.id, step, steps }),
          });
          await send({ type: 'finished', id: request.id, result });
        } else {
          const sent: Promise<void>[] = [];
          await trainSeedBatch(request.runs, {
            backend,
            signal: current.signal,
            onProgress: (id, step, steps) => void send({ type: 'progress', id, step, steps }),
            onFinished: (id, result) => {
              reported.add(id);
              sent.push(send({ type: 'finished', id, result }));
            },
          });
          await Promise.all(sent);
        }
      } catch (error) {
        const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
        for (const id of ids) if (!reported.has(id)) await send({ type: 'failed', id, error: text });
      }
      current = null;
    }
    busy = false;
    if (stopping) process.exit(0);
  };

  process.on('message', (message: WorkerRequest) => {
    if (message.type === 'stop') stop();
    else {
      queue.push(message);
      void next();
    }
  });
  await send({ type: 'ready', backend });
}

main().catch((error) => {
  console.error(`sweepWorker: failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

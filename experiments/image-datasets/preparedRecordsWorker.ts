/**
 * A worker thread of prepareRecords: it prepares the files its parent sends, one at a time,
 * with the settings it was started with, and posts each record back by its index. A file
 * that fails is reported as a failure message, and the parent stops the preparation.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { prepareRecord, type RecordReply, type RecordSettings, type RecordTask } from './preparedRecords.ts';

if (parentPort === null) {
  throw new Error('preparedRecordsWorker: must be started as a worker thread by prepareRecords');
}
const port = parentPort;
const settings = workerData as RecordSettings;

port.on('message', async (task: RecordTask) => {
  let reply: RecordReply;
  try {
    reply = { index: task.index, outcome: await prepareRecord(task.file, settings) };
  } catch (error) {
    port.postMessage({ index: task.index, failure: (error as Error).message } satisfies RecordReply);
    return;
  }
  const transfer = reply.outcome.kind === 'image' ? [reply.outcome.bytes.buffer as ArrayBuffer] : [];
  port.postMessage(reply, transfer);
});

/**
 * A `--jobs` worker thread: a RangeRunner (the same registry, topology, filter and sink as the
 * sequential CLI) over each byte range the coordinator sends, one at a time, in the order they come.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { FromWorker, ToWorker, WorkerSetup } from './protocol.js';
import { RangeRunner } from './range-runner.js';

async function start(setup: WorkerSetup): Promise<void> {
  const port = parentPort!;
  const runner = await RangeRunner.create(setup);
  const post = (m: FromWorker): void => {
    port.postMessage(m, m.type === 'done' && m.output instanceof Uint8Array ? [m.output.buffer as ArrayBuffer] : []);
  };
  let queue: Promise<void> = Promise.resolve();
  port.on('message', (m: ToWorker) => {
    queue = queue.then(async () => post(m.type === 'stats' ? { type: 'stats', stats: runner.statsSnapshot() } : await runner.run(m)));
  });
}

start(workerData as WorkerSetup).catch((e: unknown) => {
  // setup failed (topology, filter): the coordinator validated these already, so this is a bug
  parentPort?.postMessage({ type: 'done', id: -1, read: 0, matched: 0, warnings: [], crash: String((e as Error)?.stack ?? e) });
});

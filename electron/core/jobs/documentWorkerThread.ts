import { parentPort, workerData } from 'node:worker_threads';
import { runDocumentTask } from './documentWork.js';
import type { FromDocumentThread, ToDocumentThread } from './documentWorker.js';

/** Entry of the document worker thread (documentWorker.ts): runs one task at a time, reports progress. */
const port = parentPort;
if (!port) throw new Error('documentWorkerThread must run inside a worker thread');
const { dataDir } = workerData as { dataDir: string };
const post = (m: FromDocumentThread): void => port.postMessage(m);

port.on('message', (m: ToDocumentThread) => {
  void runDocumentTask(dataDir, m.task, (done, total) => post({ type: 'progress', id: m.id, done, total })).then(
    (result) => post({ type: 'done', id: m.id, result }),
    (e: unknown) => {
      const error = e instanceof Error ? e : new Error(String(e));
      const code = (error as { code?: unknown }).code;
      post({ type: 'failed', id: m.id, error: { name: error.name, message: error.message, ...(typeof code === 'string' ? { code } : {}) } });
    },
  );
});

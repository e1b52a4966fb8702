// The SQLite exporter's writer thread, as WriterThread starts it. Before anything that could fail
// to load, it makes sure that however this thread ends, a synchronous wait of the application's
// thread for it ends at once; then it runs the writer (sqliteWorkerMain.js).
import { workerData } from 'node:worker_threads';
import { DONE, ENDED, type WriterData } from './threadMessages.js';

const { progress } = workerData as WriterData;
process.on('exit', () => {
  Atomics.store(progress, ENDED, 1);
  Atomics.notify(progress, DONE);
});
await import('./sqliteWorkerMain.js');

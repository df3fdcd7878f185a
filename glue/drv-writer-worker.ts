// The .drv writer's thread (drv-writer.ts): adds the text objects it is sent, in order, then exits
// when told to (process.exit, so that its temporary roots file is removed as it ends).
import { parentPort, workerData } from 'node:worker_threads';
import { LocalStore } from '../store/index.js';
import { isWpmError } from '../util/index.js';
import { addDrvTexts, type DrvBatch, type WriterReply } from './drv-writer.js';

const store = LocalStore.open((workerData as { data: { home: string } }).data.home);
const reply = (r: WriterReply) => parentPort!.postMessage(r);

let failed = false;

parentPort!.on('message', (batch: DrvBatch | 'end') => {
  if (batch === 'end') process.exit(0);
  // After a failure nothing more is written: a later .drv may refer to the one that failed.
  if (failed) return;
  try {
    addDrvTexts(store, batch);
  } catch (err) {
    failed = true;
    reply({ error: { code: isWpmError(err) ? err.code : 'ERR_STORE_IO', message: (err as Error).message } });
  }
});

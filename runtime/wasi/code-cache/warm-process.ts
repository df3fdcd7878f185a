// Entry point of a warm-up process (warm-up.ts), started detached by request.ts with the job as
// its one argument. Everything it has to say goes to warm.log in the cache directory.

import { warmUp, type WarmJob } from './warm-up.js';

await warmUp(JSON.parse(process.argv[2]!) as WarmJob);

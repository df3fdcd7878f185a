import { afterAll, describe, expect, it } from 'vitest';
import { WasiPool } from '../../runtime/wasi/index.js';
import { componentOf, loadComponent } from './component-env.js';
import { buildFixture, loadModule, runCaptured, sandbox } from './wasi-env.js';

const pool = new WasiPool({ size: 2 });
afterAll(() => pool.close());

describe('components smoke', () => {
  it('hello prints the same as module and component', async () => {
    const modPath = await buildFixture(pool, 'hello');
    const comp = await loadComponent(await componentOf(modPath));
    const sb = sandbox('hello');
    const a = await runCaptured(pool, loadModule(modPath), { args: ['hello', 'x'], env: {}, mounts: sb.mounts });
    const b = await runCaptured(pool, comp, { args: ['hello', 'x'], env: {}, mounts: sb.mounts });
    console.log(a, b);
    expect(b).toEqual(a);
  }, 120_000);
});

// Progress off a terminal: one line per event, and a long step says it is still going.
import { describe, expect, it, vi } from 'vitest';
import { createProgress } from '../../cli/progress.js';

function fakeStream(tty = { isTTY: false, columns: 80 }): { stream: NodeJS.WriteStream; text: () => string } {
  let out = '';
  const stream = { ...tty, write: (s: string) => ((out += s), true) } as unknown as NodeJS.WriteStream;
  return { stream, text: () => out };
}

describe('plain progress', () => {
  it('says a long step is still building, at doubling intervals up to ten minutes apart, until it is built', () => {
    vi.useFakeTimers();
    try {
      const { stream, text } = fakeStream();
      const progress = createProgress('plain', stream);
      progress.onEvent({ type: 'plan', toBuild: 2, cached: 0 });
      progress.onEvent({ type: 'start', drvPath: '/wpm/store/a.drv', name: 'slow' });
      progress.onEvent({ type: 'start', drvPath: '/wpm/store/b.drv', name: 'quick' });
      vi.advanceTimersByTime(5_000);
      progress.onEvent({ type: 'built', drvPath: '/wpm/store/b.drv', name: 'quick', durationMs: 5_000, outputs: {} });
      const stillLines = () => text().split('\n').filter((l) => l.startsWith('still building'));
      vi.advanceTimersByTime(24_000); // 29 s
      expect(stillLines()).toEqual([]);
      vi.advanceTimersByTime(2_000); // 31 s
      expect(stillLines()).toEqual(['still building slow (30s)']);
      vi.advanceTimersByTime(27 * 60_000); // 28 min 31 s
      // 30 s, 1, 2, 4, 8 and 16 minutes, then ten minutes apart: 26 minutes.
      expect(stillLines()).toEqual(['30s', '60s', '120s', '240s', '480s', '960s', '1560s'].map((t) => `still building slow (${t})`));
      progress.onEvent({ type: 'built', drvPath: '/wpm/store/a.drv', name: 'slow', durationMs: 1_711_000, outputs: {} });
      const atBuilt = text();
      vi.advanceTimersByTime(60 * 60_000);
      progress.finish();
      expect(atBuilt).toMatch(/\nbuilt slow in 1711s\n$/);
      expect(text()).toBe(atBuilt); // nothing more once nothing runs
    } finally {
      vi.useRealTimers();
    }
  });

  it('prints one line per event and no control characters', () => {
    const { stream, text } = fakeStream();
    const progress = createProgress('plain', stream);
    progress.onEvent({ type: 'plan', toBuild: 1, cached: 0 });
    progress.onEvent({ type: 'start', drvPath: '/wpm/store/a.drv', name: 'hello' });
    progress.onEvent({ type: 'failed', drvPath: '/wpm/store/a.drv', name: 'hello', message: 'exit code 1', logTail: 'oops' });
    progress.finish();
    expect(text()).toBe('building hello\nFAILED hello: exit code 1\n  > oops\n');
  });
});

describe('terminal progress', () => {
  it('takes a terminal that reports no width (0 columns) as 100 wide, not as 0', () => {
    const { stream, text } = fakeStream({ isTTY: true, columns: 0 });
    const progress = createProgress('tty', stream);
    progress.onEvent({ type: 'plan', toBuild: 1, cached: 0 });
    progress.onEvent({ type: 'start', drvPath: '/wpm/store/a.drv', name: 'a-step-with-a-long-name' });
    progress.finish();
    expect(text()).toMatch(/\[0\/1 done: 0 built, 0 cached, 1 running, 0 failed, [\d.]+s\] a-step-with-a-long-name [\d.]+s/);
  });
});

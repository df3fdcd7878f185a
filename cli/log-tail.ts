// -L / --print-build-logs: every running step's log, as it grows, each line prefixed by the
// step's name. A step's log is written by its worker straight to a file; this reads what is new
// now and then, and the rest when the step ends.
import fs from 'node:fs';

const POLL_MS = 150;

interface Tailed {
  name: string;
  file: string;
  offset: number;
  /** A line begun but not ended yet. */
  partial: string;
}

export class LogTailer {
  private readonly tailed = new Map<string, Tailed>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly logFileOf: (drvPath: string) => string,
    private readonly say: (line: string) => void,
  ) {}

  start(drvPath: string, name: string): void {
    this.tailed.set(drvPath, { name, file: this.logFileOf(drvPath), offset: 0, partial: '' });
    if (!this.timer) {
      this.timer = setInterval(() => this.pollAll(), POLL_MS);
      this.timer.unref();
    }
  }

  /** The step ended: what is left of its log, its last line too. */
  stop(drvPath: string): void {
    const t = this.tailed.get(drvPath);
    if (!t) return;
    this.poll(t);
    if (t.partial !== '') this.say(`${t.name}> ${t.partial}`);
    this.tailed.delete(drvPath);
  }

  close(): void {
    for (const drvPath of [...this.tailed.keys()]) this.stop(drvPath);
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private pollAll(): void {
    for (const t of this.tailed.values()) this.poll(t);
  }

  private poll(t: Tailed): void {
    let fd: number;
    try {
      fd = fs.openSync(t.file, 'r');
    } catch {
      return; // not created yet
    }
    try {
      const size = fs.fstatSync(fd).size;
      if (size <= t.offset) return;
      const buf = Buffer.alloc(Math.min(size - t.offset, 1 << 20));
      const n = fs.readSync(fd, buf, 0, buf.length, t.offset);
      t.offset += n;
      const lines = (t.partial + buf.subarray(0, n).toString('utf8')).split('\n');
      t.partial = lines.pop()!;
      for (const line of lines) this.say(`${t.name}> ${line}`);
    } finally {
      fs.closeSync(fd);
    }
  }
}

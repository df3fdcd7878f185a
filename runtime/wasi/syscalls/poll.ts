// poll_oneoff. Files and stdio are always ready (stdin is a buffer). Clock subscriptions
// never sleep: virtual time jumps to the earliest deadline, so `sleep(10)` is instant and
// reproducible.

import { CLOCK, E, EVENTTYPE, RIGHT, SUBCLOCK_ABSTIME } from '../constants.js';
import type { WasiContext } from '../context.js';
import { WasiErrno } from '../errno.js';
import { need } from '../rights.js';
import type { Syscalls } from './types.js';

const SUB_SIZE = 48;
const EVENT_SIZE = 32;

interface Ready {
  userdata: bigint;
  error: number;
  type: number;
  nbytes: bigint;
}

export const pollCalls: Syscalls = {
  poll_oneoff: (ctx, inPtr: number, outPtr: number, nsubs: number, neventsPtr: number) => {
    if (nsubs === 0) return E.INVAL;
    const mem = ctx.mem;
    mem.check(inPtr, nsubs * SUB_SIZE);
    mem.check(outPtr, nsubs * EVENT_SIZE);
    mem.check(neventsPtr, 4);
    const dv = mem.dv;
    const fdEvents: Ready[] = [];
    const clocks: { userdata: bigint; deadline: bigint; error: number }[] = [];
    const now = ctx.clock.peek();
    for (let i = 0; i < nsubs; i++) {
      const p = inPtr + i * SUB_SIZE;
      const userdata = dv.getBigUint64(p, true);
      const type = dv.getUint8(p + 8);
      if (type === EVENTTYPE.CLOCK) {
        const id = dv.getUint32(p + 16, true);
        const timeout = dv.getBigUint64(p + 24, true);
        const flags = dv.getUint16(p + 40, true);
        if (flags & ~SUBCLOCK_ABSTIME) return E.INVAL;
        const abs = (flags & SUBCLOCK_ABSTIME) !== 0;
        // No CPU-time clocks (clock_time_get answers EBADF): the whole call is EINVAL, as the
        // preview1 adapter answers a WASI 0.2 component, so a program behaves the same as either.
        if (id !== CLOCK.REALTIME && id !== CLOCK.MONOTONIC) return E.INVAL;
        if (id === CLOCK.REALTIME) {
          // The wall clock never moves: an absolute deadline is either past or now.
          clocks.push({ userdata, deadline: abs ? now : now + timeout, error: E.SUCCESS });
        } else {
          clocks.push({ userdata, deadline: abs ? timeout : now + timeout, error: E.SUCCESS });
        }
      } else if (type === EVENTTYPE.FD_READ || type === EVENTTYPE.FD_WRITE) {
        const fd = dv.getUint32(p + 16, true);
        let error: number = E.SUCCESS;
        let nbytes = 0n;
        try {
          const f = ctx.fds.get(fd);
          // poll_fd_readwrite: "If rights::fd_read is set, includes the right to invoke
          // poll_oneoff to subscribe to eventtype::fd_read" (and fd_write likewise).
          need(f, RIGHT.POLL_FD_READWRITE | (type === EVENTTYPE.FD_READ ? RIGHT.FD_READ : RIGHT.FD_WRITE));
          if (type === EVENTTYPE.FD_READ) nbytes = BigInt(f.readable());
        } catch (err) {
          error = err instanceof WasiErrno ? err.errno : E.IO;
        }
        fdEvents.push({ userdata, error, type, nbytes });
      } else {
        return E.INVAL;
      }
    }
    let events: Ready[] = fdEvents;
    if (fdEvents.length === 0) {
      let earliest = clocks[0].deadline;
      for (const c of clocks) if (c.deadline < earliest) earliest = c.deadline;
      ctx.clock.advanceTo(earliest);
      events = clocks.filter((c) => c.deadline === earliest).map((c) => ({ userdata: c.userdata, error: c.error, type: EVENTTYPE.CLOCK, nbytes: 0n }));
    } else {
      for (const c of clocks) if (c.deadline <= now) events.push({ userdata: c.userdata, error: c.error, type: EVENTTYPE.CLOCK, nbytes: 0n });
    }
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      const p = outPtr + i * EVENT_SIZE;
      mem.u8.fill(0, p, p + EVENT_SIZE);
      dv.setBigUint64(p, e.userdata, true);
      dv.setUint16(p + 8, e.error, true);
      dv.setUint8(p + 10, e.type);
      dv.setBigUint64(p + 16, e.nbytes, true);
    }
    mem.setU32(neventsPtr, events.length);
    return E.SUCCESS;
  },
};

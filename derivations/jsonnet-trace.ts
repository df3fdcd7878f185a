// libjsonnet's error messages made for the user: the wrapper snippet's frames removed, a long
// trace shortened around the user's own frames, and endless recursion named by where it goes round.
import fs from 'node:fs';

/**
 * One frame of libjsonnet's trace: a tab, a location (`file:3:5-9`, `file:3:5` or
 * `file:(3:5)-(4:2)`), a tab, a description (`thunk <a>`, `function <f>`, `object <o>` or nothing).
 */
interface Frame {
  /** The whole location, as printed. */
  where: string;
  file: string;
  line: number;
  description: string;
}

const FRAME_RE = /^\t(.+?):(?:(\d+):\d+(?:-\d+)?|\((\d+):\d+\)-\(\d+:\d+\))\t(.*)$/;

function parseFrame(text: string): Frame | undefined {
  const m = FRAME_RE.exec(text);
  if (!m) return undefined;
  return { where: text.slice(1, text.indexOf('\t', 1)), file: m[1]!, line: Number(m[2] ?? m[3]), description: m[4]! };
}

/**
 * The lines of a message and which of them are its trace's frames. The trace is the block of
 * frame lines at the end (with libjsonnet's `During manifestation` and `...` lines): an indented
 * `x:1:2` in the error's own text is not a frame.
 */
function splitTrace(message: string): { lines: string[]; frames: Map<number, Frame> } {
  const lines = message.split('\n');
  const frames = new Map<number, Frame>();
  for (let k = lines.length - 1; k > 0; k--) {
    const frame = parseFrame(lines[k]!);
    if (frame) frames.set(k, frame);
    else if (!/^\t(During |\.\.\.)/.test(lines[k]!)) break;
  }
  return { lines, frames };
}

/**
 * libjsonnet's messages mention our wrapper snippet; keep the user's frames only. A frame in the
 * user's file may still name the object through a wrapper's variable (`object <wpmValue>` when a
 * slice indexes it, `<wpmV>` when -A selects in it): that object has no name of the user's, as one
 * VM's manifestation says. (The wrapper forces the user's values with the builtin std.type, so no
 * std.jsonnet frame of its own comes between.) Top-level arguments are named by their flag.
 */
export function cleanJsonnetMessage(message: string): string {
  return message
    .split('\n')
    .filter((line) => !/^\s*<wpm>:/.test(line))
    .join('\n')
    .replace(/\bobject <wpm[A-Za-z]*>/g, 'object <anonymous>')
    .replace(/<extvar:wpm\.arg\.([A-Za-z0-9_]+)>/g, '<--arg $1>')
    .trimEnd();
}

/** Frames kept from each end of a long trace, and at most this many of the user's between. */
const TRACE_ENDS = 10;
const TRACE_USER_MIDDLE = 20;

/** Is this file the user's (not std.jsonnet, not wpm's library)? */
export type UserFileCheck = (file: string) => boolean;

/**
 * A long trace shortened for reading: its first and last frames, and between them the frames in
 * the user's own files, where the mistake usually is. libjsonnet itself would keep ten frames from
 * each end, and the last ones are the wrapper's: the user's frames were lost in between.
 */
export function traceForUser(message: string, isUserFile: UserFileCheck): string {
  const { lines, frames } = splitTrace(message);
  const order = [...frames.keys()].sort((a, b) => a - b);
  if (order.length <= 2 * TRACE_ENDS + TRACE_USER_MIDDLE) return message;
  const keep = new Set([...order.slice(0, TRACE_ENDS), ...order.slice(-TRACE_ENDS)]);
  let middle = 0;
  for (const k of order.slice(TRACE_ENDS, -TRACE_ENDS)) {
    if (middle < TRACE_USER_MIDDLE && isUserFile(frames.get(k)!.file)) {
      keep.add(k);
      middle++;
    }
  }
  const out: string[] = [];
  let dropped = 0;
  const flush = () => {
    if (dropped > 0) out.push(`\t... (${dropped} more frame${dropped === 1 ? '' : 's'})`);
    dropped = 0;
  };
  lines.forEach((line, k) => {
    if (frames.has(k) && !keep.has(k)) {
      dropped++;
      return;
    }
    flush();
    out.push(line);
  });
  flush();
  return out.join('\n');
}

/**
 * Why the stack ran out: a `cycle` (a value that needs itself: no function of the user's goes
 * round, so nothing can change from one round to the next and it can never end), or `depth`
 * (recursion through the user's functions, whose arguments change: it may be merely deeper than
 * the stack, so wpm does not call it infinite).
 */
export interface Recursion {
  kind: 'cycle' | 'depth';
  text: string;
}

/** Did libjsonnet stop because its stack ran out? (This is where its message is read, once.) */
export function isStackExhausted(message: string): boolean {
  return message.includes('max stack frames exceeded');
}

/**
 * A stack that ran out ("max stack frames exceeded"), named by the places in the user's files the
 * recursion goes round, in the order each needs the next. Where no function of the user's is among
 * them it is a cycle: a dependency cycle when it goes through wpm's library (a derivation needs
 * another's path), infinite recursion otherwise; where one is, the stack depth was exceeded.
 * A place is named by its local variable when the frame is a `thunk <name>` on a line that binds
 * that name: other thunk names are parameters of the functions called (std's `a` and `b` for `%`
 * and `==`). `maxStack` is the limit that ran out, for the message.
 */
export function describeRecursion(message: string, isUserFile: UserFileCheck, maxStack = 500): Recursion | undefined {
  if (!isStackExhausted(message)) return undefined;
  const all = [...splitTrace(message).frames.entries()].sort((a, b) => a[0] - b[0]).map(([, f]) => f);
  // The user's frames from the outermost in: the loop is named from where evaluation entered it,
  // the first of them that comes round again, so that how deep the stack went (where the trace
  // begins) does not change the name.
  const user = all.filter((f) => isUserFile(f.file)).reverse();
  let start = -1;
  let end = -1;
  for (let i = 0; i < user.length && end < 0; i++) {
    start = i;
    end = user.findIndex((f, k) => k > i && f.where === user[i]!.where);
  }
  if (end < 0) return { kind: 'depth', text: `stack depth ${maxStack} exceeded` };
  const inner = all.indexOf(user[end]!);
  const outer = all.indexOf(user[start]!, inner + 1);
  const throughLibrary = all.slice(inner, outer).some((f) => f.file !== 'std.jsonnet' && !isUserFile(f.file));

  const labels = new Map<string, string>(); // file:line → how it is named
  for (const f of user.slice(start, end)) {
    const key = `${f.file}:${f.line}`;
    const local = /^thunk <([A-Za-z_][A-Za-z0-9_]*)>$/.exec(f.description)?.[1];
    if (local !== undefined && bindsLocal(f.file, f.line, local)) {
      if (!labels.has(key) || !labels.get(key)!.includes(' (')) labels.set(key, `${local} (${f.where})`);
    } else if (!labels.has(key)) labels.set(key, key);
  }
  const loop = [...labels.values()];
  const again = loop[0]!.split(' (')[0];
  // `function <anonymous>` in the user's file is an operator's std function (`!=`, `%`), not theirs.
  if (user.slice(start, end).some((f) => /^function <(?!anonymous>)/.test(f.description))) {
    return { kind: 'depth', text: `stack depth ${maxStack} exceeded: ${loop.join(' calls ')} calls ${again} again, deeper than the evaluator's stack` };
  }
  return { kind: 'cycle', text: `${throughLibrary ? 'dependency cycle' : 'infinite recursion'}: ${loop.join(' needs ')} needs ${again} again` };
}

/** Does this line of the file bind `name` (`local name = …`, `name = …` in a local list)? */
function bindsLocal(file: string, line: number, name: string): boolean {
  let text: string | undefined;
  try {
    text = fs.readFileSync(file, 'utf8').split('\n')[line - 1];
  } catch {
    return false;
  }
  return text !== undefined && new RegExp(`(^|[\\s,])${name}\\s*=(?!=)`).test(text);
}

/**
 * A call of wpm's library that failed (`wpm.path` of a file that does not exist, a derivation it
 * refused) is the user's mistake at the user's call: the message begins with that call's place,
 * and the trace keeps the user's frames only, saying how many of the library's it left out.
 */
export function nativeFailureForUser(message: string, failure: string, isUserFile: UserFileCheck, field?: string): string {
  const { frames } = splitTrace(message);
  const order = [...frames.keys()].sort((a, b) => a - b);
  const user = order.map((k) => frames.get(k)!).filter((f) => isUserFile(f.file));
  if (user.length === 0) return message;
  const left = order.length - user.length;
  // About one field of the user's object: its own line, found inside the innermost user frame
  // whose text holds it (the object is in the call the frame names).
  const at = field === undefined ? undefined : user.map((f) => fieldIn(f, field)).find((w) => w !== undefined);
  return [
    `${at ?? user[0]!.where}: ${failure}`,
    ...user.map((f) => `\t${f.where}\t${f.description}`),
    ...(left > 0 ? [`\t(${left} frame${left === 1 ? '' : 's'} of wpm's library and std.jsonnet left out)`] : []),
  ].join('\n');
}

/** Where `field:` is written inside the text a frame spans (`file:(3:1)-(8:3)` or `file:3:5-40`). */
function fieldIn(frame: Frame, field: string): string | undefined {
  const m = /:(?:\((\d+):\d+\)-\((\d+):\d+\)|(\d+):\d+(?:-\d+)?)$/.exec(frame.where);
  if (!m) return undefined;
  const first = Number(m[1] ?? m[3]);
  const last = Number(m[2] ?? m[3]);
  let lines: string[];
  try {
    lines = fs.readFileSync(frame.file, 'utf8').split('\n');
  } catch {
    return undefined;
  }
  const key = new RegExp(`(^|[\\s{,])(${field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}|'${field}'|"${field}")\\s*:`);
  for (let n = first; n <= last && n <= lines.length; n++) {
    const hit = key.exec(lines[n - 1]!);
    if (hit) return `${frame.file}:${n}:${hit.index + hit[1]!.length + 1}`;
  }
  return undefined;
}

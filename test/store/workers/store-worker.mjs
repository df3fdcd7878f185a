// A separate process that uses the compiled store, for the crash, concurrency and GC tests:
//   node store-worker.mjs <command> <home> [args…]
// Prints one line per event on stdout: `installed <path>` each time this process moves a path into
// the store, `added <path> <dir inode> <info inode>` when an add returns, `ready` when a holder holds.
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LocalStore, acquireLock, copyTree, hashBytes, makeOutputPath } from '../../../dist/store/index.js';

const [cmd, home, ...args] = process.argv.slice(2);
const store = LocalStore.open(home, {
  durable: process.env.WPM_TEST_DURABLE !== '0',
  // Synchronous writes: the crash test kills on seeing `installing`, and must see it at once.
  onInstalling: (p) => fs.writeSync(1, `installing ${p}\n`),
  onInstalled: (info) => process.stdout.write(`installed ${info.path}\n`),
});

// The crash test times its kills from here, past the variable cost of starting Node.
process.stdout.write('start\n');

function report(storePath) {
  const dir = fs.lstatSync(store.toHost(storePath)).ino;
  const info = fs.statSync(store.db.infoFile(storePath)).ino;
  process.stdout.write(`added ${storePath} ${dir} ${info}\n`);
}

/** The output path a derivation named `name` would have; stands in for a real build's output. */
function outputPathFor(name) {
  return makeOutputPath(hashBytes('sha256', `drv:${name}`), 'out', name);
}

async function holdForever() {
  process.stdout.write('ready\n');
  for (;;) await sleep(1000);
}

switch (cmd) {
  case 'add': // add <src>…
    for (const src of args) report(await store.addPath(src));
    break;
  case 'register': {
    // register <src> <name> [candidate…]: copy like a build writes its output, then register it.
    const [src, name, ...candidates] = args;
    const storePath = outputPathFor(name);
    const work = store.makeTempDir('build-test');
    const out = path.join(work, 'out');
    copyTree(src, out);
    await store.register(out, storePath, { referenceCandidates: candidates, deriver: process.env.WPM_TEST_DERIVER || undefined });
    fs.rmSync(work, { recursive: true, force: true });
    report(storePath);
    break;
  }
  case 'add-text': {
    // add-text <name> <file with the text> [reference…]
    const [name, file, ...refs] = args;
    report(await store.addText(name, fs.readFileSync(file, 'utf8'), refs));
    break;
  }
  case 'add-texts': {
    // add-texts <from> <to>: the text objects t<from>…t<to - 1>, in one batch
    const [from, to] = args.map(Number);
    const items = [];
    for (let i = from; i < to; i++) items.push({ name: `t${i}`, text: `text ${i}\n`.repeat(50), references: [] });
    for (const p of store.addTexts(items)) report(p);
    break;
  }
  case 'hold-valid': // hold-valid <path>…: use paths (temporary roots), then stay alive
    for (const p of args) if (!store.isValid(p)) throw new Error(`${p} is not valid`);
    await holdForever();
    break;
  case 'hold-build-lock': // hold-build-lock <drv>: a running build's lock, without a temp root
    await acquireLock(store.buildLockFile(args[0]));
    await holdForever();
    break;
  case 'add-and-check': {
    // add-and-check <src> <count>: add variants of a tree one after another; after each add, every
    // path added so far must still be valid and intact (they are this process's temporary roots).
    const [src, count] = args;
    const added = [];
    for (let i = 0; i < Number(count); i++) {
      const variant = fs.mkdtempSync(path.join(home, '..', `variant-${process.pid}-`));
      copyTree(src, path.join(variant, 't'));
      fs.writeFileSync(path.join(variant, 't', 'variant'), `${process.pid} ${i}\n`);
      added.push(await store.addPath(path.join(variant, 't'), { name: `v${process.pid}-${i}` }));
      fs.rmSync(variant, { recursive: true, force: true });
      for (const p of added) {
        if (!fs.existsSync(store.db.infoFile(p)) || !fs.existsSync(path.join(store.toHost(p), 'variant'))) {
          process.stdout.write(`lost ${p}\n`);
          process.exit(3);
        }
      }
    }
    process.stdout.write(`kept ${added.length}\n`);
    break;
  }
  case 'hold-lock': {
    // hold-lock <lock file> <log>: take the lock, log it, hold it until killed.
    const [lockFile, log] = args;
    await acquireLock(lockFile);
    fs.appendFileSync(log, `in ${process.pid} holder\n`);
    await holdForever();
    break;
  }
  case 'use-and-check': {
    // use-and-check <path>…: look at each path with isValid over ~2 s (a collector may run
    // meanwhile); every path found valid must still be there at the end.
    const used = [];
    for (const p of args) {
      if (store.isValid(p)) used.push(p);
      await sleep(2000 / args.length);
    }
    for (const p of used) {
      if (!fs.existsSync(store.db.infoFile(p)) || !fs.existsSync(store.toHost(p))) {
        process.stdout.write(`lost ${p}\n`);
        process.exit(3);
      }
    }
    process.stdout.write(`used ${used.length}\n`);
    break;
  }
  case 'lock-stress': {
    // lock-stress <lock file> <rounds> <log>: take the lock, log entry and exit around a short hold.
    const [lockFile, rounds, log] = args;
    for (let i = 0; i < Number(rounds); i++) {
      const lock = await acquireLock(lockFile);
      fs.appendFileSync(log, `in ${process.pid}\n`);
      await sleep(Math.random() * 3);
      fs.appendFileSync(log, `out ${process.pid}\n`);
      lock.release();
    }
    break;
  }
  default:
    throw new Error(`unknown command ${cmd}`);
}

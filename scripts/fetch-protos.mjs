// Makes dist/remote/protos.json, the gRPC descriptors wpm's remote-execution client and bot load:
// the Remote Execution API's .proto files from the Go module proxy's zip of
// github.com/bazelbuild/remote-apis (pinned by the zip's SHA-256, cached in node_modules/.cache),
// and Google's shared ones (longrunning, rpc, bytestream, remoteworkers) from the npm package
// google-proto-files. None of them is committed: they are upstream's text.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MODULE = 'github.com/bazelbuild/remote-apis';
const VERSION = 'v0.0.0-20260331222004-becdd8f9ff81';
const ZIP_SHA256 = '551d09dc1207dc323ca398eef8eb8caed9a5f4b25e03e17f071844ccb1820be7';
const FROM_ZIP = ['build/bazel/remote/execution/v2/remote_execution.proto', 'build/bazel/semver/semver.proto'];
const ENTRY_POINTS = [
  'build/bazel/remote/execution/v2/remote_execution.proto',
  'google/bytestream/bytestream.proto',
  'google/longrunning/operations.proto',
  'google/devtools/remoteworkers/v1test2/bots.proto',
];
const OUT = path.join(ROOT, 'dist', 'remote', 'protos.json');
const CACHE = path.join(ROOT, 'node_modules', '.cache', 'wpm-protos', VERSION);

function stamp() {
  return `${VERSION} ${ZIP_SHA256} ${ENTRY_POINTS.join(',')}`;
}

async function fetchZip() {
  const proxy = (process.env.GOPROXY ?? 'https://proxy.golang.org').split(/[,|]/).find((p) => p.startsWith('http')) ?? 'https://proxy.golang.org';
  const url = `${proxy.replace(/\/$/, '')}/${MODULE}/@v/${VERSION}.zip`;
  const res = await fetch(url);
  if (!res.ok) throw new Error(`fetch-protos: ${url} answered ${res.status}`);
  const bytes = Buffer.from(await res.arrayBuffer());
  const sha = crypto.createHash('sha256').update(bytes).digest('hex');
  if (sha !== ZIP_SHA256) throw new Error(`fetch-protos: ${url} has sha256 ${sha}, expected ${ZIP_SHA256}`);
  return bytes;
}

/** The files of a zip by name (central directory; stored or deflated entries, which is all Go's zips use). */
function unzip(zip) {
  let eocd = zip.length - 22;
  while (eocd >= 0 && zip.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error('fetch-protos: not a zip file');
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const files = new Map();
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error('fetch-protos: bad central directory');
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const nameLen = zip.readUInt16LE(at + 28);
    const extraLen = zip.readUInt16LE(at + 30);
    const commentLen = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLen);
    const dataAt = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const raw = zip.subarray(dataAt, dataAt + size);
    files.set(name, () => (method === 0 ? raw : zlib.inflateRawSync(raw)));
    at += 46 + nameLen + extraLen + commentLen;
  }
  return files;
}

async function extractRemoteApis() {
  if (FROM_ZIP.every((f) => fs.existsSync(path.join(CACHE, f)))) return;
  const files = unzip(await fetchZip());
  for (const f of FROM_ZIP) {
    const get = files.get(`${MODULE}@${VERSION}/${f}`);
    if (!get) throw new Error(`fetch-protos: ${f} is not in ${MODULE}@${VERSION}`);
    fs.mkdirSync(path.dirname(path.join(CACHE, f)), { recursive: true });
    fs.writeFileSync(path.join(CACHE, f), get());
  }
}

async function main() {
  const stampFile = OUT + '.stamp';
  if (fs.existsSync(OUT) && fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === stamp()) return;
  await extractRemoteApis();
  const googleProtos = path.dirname(fileURLToPath(import.meta.resolve('google-proto-files/package.json')));
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => {
    for (const dir of [CACHE, googleProtos]) {
      const p = path.join(dir, target);
      if (fs.existsSync(p)) return p;
    }
    return target;
  };
  root.loadSync(ENTRY_POINTS, { keepCase: true });
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, JSON.stringify(root.toJSON()));
  fs.writeFileSync(stampFile, stamp());
}

await main();

// The command-line programs of the upstream packages, each run under `wpm run` on a real input
// with its output asserted. Shared by the default suite (a subset of the packages, see
// upstream.test.ts) and the full set (full-set.packages.ts, `npm run test:packages`).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { expect } from 'vitest';
import { REPO, tempDir, wpm, type CliResult } from '../helpers/cli.js';

export const PACKAGES = path.join(REPO, 'packages/default.jsonnet');

export interface Runner {
  home: string;
}

/** `wpm run packages/default.jsonnet -A pkg --bin bin [--dir dir:/data] -- args`, text on stdin. */
export function run(r: Runner, pkg: string, bin: string, args: string[], input = '', dir?: string): CliResult {
  const argv = ['run', PACKAGES, '-A', pkg, '--bin', bin, ...(dir ? ['--dir', `${dir}:/data`] : []), '--', ...args];
  return wpm(argv, { home: r.home, input });
}

// A text long enough that compressors have something to do, the same on every run.
export const TEXT = Array.from({ length: 400 }, (_, i) => `line ${i}: the quick brown fox jumps over the lazy dog ${i * 7919 % 1000}\n`).join('');

/** Compress TEXT into a file in a granted directory, decompress it back, and compare. */
function roundTrip(r: Runner, pkg: string, bin: string, compress: string[], decompress: string[], magic: number[]): void {
  const dir = tempDir(`${pkg}-roundtrip`);
  fs.writeFileSync(path.join(dir, 'text.txt'), TEXT);
  const c = run(r, pkg, bin, [...compress, '/data/text.txt', '/data/text.packed'], '', dir);
  expect(c.stderr + c.status).toBe('0');
  const packed = fs.readFileSync(path.join(dir, 'text.packed'));
  expect([...packed.subarray(0, magic.length)]).toEqual(magic);
  expect(packed.length).toBeLessThan(TEXT.length / 3);
  const d = run(r, pkg, bin, [...decompress, '/data/text.packed', '/data/text.out'], '', dir);
  expect(d.stderr + d.status).toBe('0');
  expect(fs.readFileSync(path.join(dir, 'text.out'), 'utf8')).toBe(TEXT);
}

// A CRC-32 (PNG's and zlib's polynomial), for PNG chunks written here.
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const b of data) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
/** A PNG chunk; `length` may lie about the data's length (png-fix-itxt's case). */
function pngChunk(type: string, data: Buffer, length = data.length): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([head, body, crc]);
}
/** An 8-bit RGB image, a smooth gradient, as its rows of pixels. */
function gradient(width: number, height: number): Buffer {
  const px = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) px.set([(x * 255 / (width - 1)) | 0, (y * 255 / (height - 1)) | 0, 96], (y * width + x) * 3);
  }
  return px;
}
/** A PNG of gradient(width, height), with extra chunks before IDAT. */
function png(width: number, height: number, extra: Buffer[] = []): Buffer {
  const px = gradient(width, height);
  const rows = Buffer.concat(Array.from({ length: height }, (_, y) => Buffer.concat([Buffer.from([0]), px.subarray(y * width * 3, (y + 1) * width * 3)])));
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), pngChunk('IHDR', ihdr), ...extra,
    pngChunk('IDAT', zlib.deflateSync(rows)), pngChunk('IEND', Buffer.alloc(0))]);
}
/** A binary PPM (P6) file and its pixels. */
function readPpm(file: Buffer): { width: number; height: number; pixels: Buffer } {
  const m = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(file.subarray(0, 32).toString('latin1'));
  if (!m) throw new Error(`not a P6 PPM file: ${JSON.stringify(file.subarray(0, 16).toString('latin1'))}`);
  return { width: Number(m[1]), height: Number(m[2]), pixels: file.subarray(m[0].length) };
}

/** One test per program: name → assertion. */
export const PROGRAMS: Record<string, Record<string, (r: Runner) => void>> = {
  zlib: {
    'minigzip compresses to gzip and back': (r) => {
      const dir = tempDir('minigzip');
      fs.writeFileSync(path.join(dir, 'text.txt'), TEXT);
      // minigzip replaces FILE by FILE.gz, as gzip does, and -d the other way round.
      expect(run(r, 'zlib', 'minigzip', ['/data/text.txt'], '', dir).status).toBe(0);
      const gz = fs.readFileSync(path.join(dir, 'text.txt.gz'));
      expect([...gz.subarray(0, 2)]).toEqual([0x1f, 0x8b]);
      expect(fs.existsSync(path.join(dir, 'text.txt'))).toBe(false);
      expect(run(r, 'zlib', 'minigzip', ['-d', '/data/text.txt.gz'], '', dir).status).toBe(0);
      expect(fs.readFileSync(path.join(dir, 'text.txt'), 'utf8')).toBe(TEXT);
    },
  },
  bzip2: {
    'bzip2 compresses and decompresses a file': (r) => {
      const dir = tempDir('bzip2');
      fs.writeFileSync(path.join(dir, 'text.txt'), TEXT);
      expect(run(r, 'bzip2', 'bzip2', ['-k', '/data/text.txt'], '', dir).stderr).toBe('');
      const bz = fs.readFileSync(path.join(dir, 'text.txt.bz2'));
      expect(bz.subarray(0, 3).toString()).toBe('BZh');
      fs.rmSync(path.join(dir, 'text.txt'));
      expect(run(r, 'bzip2', 'bzip2', ['-d', '/data/text.txt.bz2'], '', dir).status).toBe(0);
      expect(fs.readFileSync(path.join(dir, 'text.txt'), 'utf8')).toBe(TEXT);
    },
  },
  lz4: {
    'lz4 compresses to an LZ4 frame and back': (r) => roundTrip(r, 'lz4', 'lz4', ['-q'], ['-d', '-q'], [0x04, 0x22, 0x4d, 0x18]),
  },
  expat: {
    'xmlwf accepts a well-formed document and names the error in a broken one': (r) => {
      const dir = tempDir('xmlwf');
      fs.writeFileSync(path.join(dir, 'good.xml'), '<?xml version="1.0"?>\n<doc a="1"><p>text &amp; more</p></doc>\n');
      fs.writeFileSync(path.join(dir, 'bad.xml'), '<doc>\n  <p>unclosed\n</doc>\n');
      const good = run(r, 'expat', 'xmlwf', ['/data/good.xml'], '', dir);
      expect(good).toMatchObject({ status: 0, stdout: '' });
      const bad = run(r, 'expat', 'xmlwf', ['/data/bad.xml'], '', dir);
      expect(bad.stdout).toBe('/data/bad.xml:3:2: mismatched tag\n');
    },
  },
  jq: {
    'jq filters JSON on stdin': (r) => {
      const out = run(r, 'jq', 'jq', ['-c', '{total: (.items | map(.n) | add), names: [.items[].name | ascii_upcase]}'], '{"items":[{"name":"a","n":2},{"name":"b","n":40}]}');
      expect(out).toMatchObject({ status: 0, stdout: '{"total":42,"names":["A","B"]}\n' });
    },
    'jq matches with oniguruma regular expressions': (r) => {
      const out = run(r, 'jq', 'jq', ['-r', '[match("(?<y>\\\\d{4})-(?<m>\\\\d\\\\d)"; "g") | .captures[0].string] | join(",")'], '"2024-01 and 1999-12"');
      expect(out.stdout).toBe('2024,1999\n');
    },
  },
  libdeflate: {
    'libdeflate-gzip compresses to gzip that gunzip reads, and back': (r) => {
      const dir = tempDir('libdeflate');
      fs.writeFileSync(path.join(dir, 'text.txt'), TEXT);
      expect(run(r, 'libdeflate', 'libdeflate-gzip', ['-k', '-12', '/data/text.txt'], '', dir)).toMatchObject({ status: 0, stderr: '' });
      // The host's gzip (a peer) reads what the wasm program wrote.
      expect(execFileSync('gzip', ['-dc', path.join(dir, 'text.txt.gz')], { encoding: 'utf8' })).toBe(TEXT);
      fs.rmSync(path.join(dir, 'text.txt'));
      expect(run(r, 'libdeflate', 'libdeflate-gzip', ['-d', '/data/text.txt.gz'], '', dir).status).toBe(0);
      expect(fs.readFileSync(path.join(dir, 'text.txt'), 'utf8')).toBe(TEXT);
    },
  },
  'cmark-gfm': {
    'cmark-gfm renders GitHub-flavoured Markdown with its extensions': (r) => {
      const md = '# Title\n\n| a | b |\n|---|---|\n| ~~x~~ | **2** |\n\n- [x] done\n';
      const out = run(r, 'cmark-gfm', 'cmark-gfm', ['-e', 'table', '-e', 'strikethrough', '-e', 'tasklist'], md);
      expect(out.status).toBe(0);
      expect(out.stdout).toContain('<h1>Title</h1>');
      expect(out.stdout).toContain('<td><del>x</del></td>\n<td><strong>2</strong></td>');
      expect(out.stdout).toContain('<input type="checkbox" checked="" disabled="" /> done');
      expect(run(r, 'cmark-gfm', 'cmark-gfm', ['-t', 'commonmark'], '*a*  \n__b__').stdout).toBe('*a*  \n**b**\n');
    },
  },
  xz: {
    'xzdec and lzmadec decompress what the host xz wrote; lzmainfo reads a header': (r) => {
      const dir = tempDir('xz');
      fs.writeFileSync(path.join(dir, 'text.txt'), TEXT);
      execFileSync('xz', ['-k', '-6', path.join(dir, 'text.txt')]);
      execFileSync('xz', ['-k', '--format=lzma', path.join(dir, 'text.txt')]);
      expect(run(r, 'xz', 'xzdec', ['/data/text.txt.xz'], '', dir)).toMatchObject({ status: 0, stdout: TEXT });
      expect(run(r, 'xz', 'lzmadec', ['/data/text.txt.lzma'], '', dir)).toMatchObject({ status: 0, stdout: TEXT });
      // xz writes .lzma headers without the size (as a stream); lzmainfo reads the rest.
      const info = run(r, 'xz', 'lzmainfo', ['/data/text.txt.lzma'], '', dir);
      expect(info.stdout).toMatch(/Uncompressed size: +Unknown\nDictionary size: +8 MB \(2\^23 bytes\)\nLiteral context bits \(lc\): +3\n/);
      fs.writeFileSync(path.join(dir, 'bad.xz'), fs.readFileSync(path.join(dir, 'text.txt.xz')).subarray(0, 100));
      const bad = run(r, 'xz', 'xzdec', ['/data/bad.xz'], '', dir);
      expect(bad.status).toBe(1);
      expect(bad.stderr).toContain('Unexpected end of input');
    },
  },
  libxml2: {
    'xmllint evaluates XPath, reads a gzip-compressed document and reports errors': (r) => {
      const dir = tempDir('xmllint');
      const doc = '<?xml version="1.0"?>\n<lib><book id="1"><title>Dune</title></book><book id="2"><title>Emma</title></book></lib>\n';
      fs.writeFileSync(path.join(dir, 'doc.xml'), doc);
      execFileSync('gzip', ['-k', path.join(dir, 'doc.xml')]);
      expect(run(r, 'libxml2', 'xmllint', ['--xpath', 'string(//book[@id=2]/title)', '/data/doc.xml'], '', dir).stdout).toBe('Emma\n');
      expect(run(r, 'libxml2', 'xmllint', ['--format', '/data/doc.xml.gz'], '', dir).stdout).toBe(
        '<?xml version="1.0"?>\n<lib>\n  <book id="1">\n    <title>Dune</title>\n  </book>\n  <book id="2">\n    <title>Emma</title>\n  </book>\n</lib>\n',
      );
      fs.writeFileSync(path.join(dir, 'bad.xml'), '<a><b></a>\n');
      const bad = run(r, 'libxml2', 'xmllint', ['--noout', '/data/bad.xml'], '', dir);
      expect(bad.status).toBe(1);
      expect(bad.stderr).toContain('/data/bad.xml:1: parser error : Opening and ending tag mismatch: b line 1 and a');
    },
    'xmlcatalog creates a catalog and adds an entry to it': (r) => {
      const dir = tempDir('xmlcatalog');
      expect(run(r, 'libxml2', 'xmlcatalog', ['--noout', '--create', '/data/cat.xml'], '', dir).status).toBe(0);
      expect(run(r, 'libxml2', 'xmlcatalog', ['--noout', '--add', 'public', '-//W/DTD X//EN', 'x.dtd', '/data/cat.xml'], '', dir).status).toBe(0);
      expect(fs.readFileSync(path.join(dir, 'cat.xml'), 'utf8')).toContain('<public publicId="-//W/DTD X//EN" uri="x.dtd"/>');
    },
  },
  libpng: {
    'pngfix checks a PNG and repairs a chunk whose CRC is wrong': (r) => {
      const dir = tempDir('pngfix');
      const good = png(32, 16, [pngChunk('tEXt', Buffer.from('Comment\0made by a test', 'latin1'))]);
      fs.writeFileSync(path.join(dir, 'good.png'), good);
      const bad = Buffer.from(good);
      const crcAt = bad.indexOf('tEXt') + 4 + 'Comment\0made by a test'.length;
      bad[crcAt] ^= 0xff;
      fs.writeFileSync(path.join(dir, 'bad.png'), bad);
      expect(run(r, 'libpng', 'pngfix', ['/data/good.png'], '', dir)).toMatchObject({ status: 0, stdout: expect.stringMatching(/^IDAT OK .* \/data\/good\.png\n$/) });
      // Exit status 2: pngfix found (and with --out, fixed) an error in the file.
      expect(run(r, 'libpng', 'pngfix', ['--out=/data/fixed.png', '/data/bad.png'], '', dir).status).toBe(2);
      expect(fs.readFileSync(path.join(dir, 'fixed.png')).equals(good)).toBe(true);
    },
    "png-fix-itxt repairs an iTXt chunk's length as libpng 1.6.0 wrote it": (r) => {
      const text = Buffer.from('Title\0\0\0\0a title long enough to be cut short', 'latin1');
      const right = png(8, 8, [pngChunk('iTXt', text)]);
      const wrong = png(8, 8, [pngChunk('iTXt', text, text.length - 5)]);
      const dir = tempDir('png-fix-itxt');
      fs.writeFileSync(path.join(dir, 'wrong.png'), wrong);
      const out = execFileSync(process.execPath, [path.join(REPO, 'bin/wpm.js'), 'run', PACKAGES, '-A', 'libpng', '--bin', 'png-fix-itxt'],
        { input: wrong, env: { ...process.env, WPM_HOME: r.home } });
      expect(out.equals(right)).toBe(true);
    },
  },
  'libjpeg-turbo': {
    'cjpeg, jpegtran and djpeg compress, rotate and decompress an image': (r) => {
      const dir = tempDir('jpeg');
      const [w, h] = [64, 48];
      const px = gradient(w, h);
      fs.writeFileSync(path.join(dir, 'in.ppm'), Buffer.concat([Buffer.from(`P6\n${w} ${h}\n255\n`), px]));
      expect(run(r, 'libjpeg-turbo', 'cjpeg', ['-quality', '95', '-outfile', '/data/out.jpg', '/data/in.ppm'], '', dir)).toMatchObject({ status: 0, stderr: '' });
      const jpg = fs.readFileSync(path.join(dir, 'out.jpg'));
      expect([...jpg.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
      expect(run(r, 'libjpeg-turbo', 'djpeg', ['-outfile', '/data/back.ppm', '/data/out.jpg'], '', dir).status).toBe(0);
      const back = readPpm(fs.readFileSync(path.join(dir, 'back.ppm')));
      expect([back.width, back.height]).toEqual([w, h]);
      // Lossy, but a smooth gradient at quality 95 comes back within a few levels.
      const worst = Math.max(...[...px].map((v, i) => Math.abs(v - back.pixels[i]!)));
      expect(worst).toBeLessThan(12);
      expect(run(r, 'libjpeg-turbo', 'jpegtran', ['-rotate', '90', '-outfile', '/data/turned.jpg', '/data/out.jpg'], '', dir).status).toBe(0);
      expect(run(r, 'libjpeg-turbo', 'djpeg', ['-outfile', '/data/turned.ppm', '/data/turned.jpg'], '', dir).status).toBe(0);
      const turned = readPpm(fs.readFileSync(path.join(dir, 'turned.ppm')));
      expect([turned.width, turned.height]).toEqual([h, w]);
      // Rotated clockwise: the top row of the result is the left column of the image, bottom to top.
      expect(Math.abs(turned.pixels[0]! - px[(h - 1) * w * 3]!)).toBeLessThan(12);
      expect(Math.abs(turned.pixels[1]! - px[(h - 1) * w * 3 + 1]!)).toBeLessThan(12);
    },
    'wrjpgcom adds a comment that rdjpgcom reads back': (r) => {
      const dir = tempDir('jpgcom');
      fs.writeFileSync(path.join(dir, 'in.ppm'), Buffer.concat([Buffer.from('P6\n16 16\n255\n'), gradient(16, 16)]));
      expect(run(r, 'libjpeg-turbo', 'cjpeg', ['-outfile', '/data/a.jpg', '/data/in.ppm'], '', dir).status).toBe(0);
      const commented = execFileSync(process.execPath, [path.join(REPO, 'bin/wpm.js'), 'run', PACKAGES, '-A', 'libjpeg-turbo', '--bin', 'wrjpgcom',
        '--dir', `${dir}:/data`, '--', '-comment', 'made by wpm', '/data/a.jpg'], { env: { ...process.env, WPM_HOME: r.home } });
      fs.writeFileSync(path.join(dir, 'b.jpg'), commented);
      expect(run(r, 'libjpeg-turbo', 'rdjpgcom', ['/data/b.jpg'], '', dir)).toMatchObject({ status: 0, stdout: 'made by wpm\n' });
      expect(run(r, 'libjpeg-turbo', 'rdjpgcom', ['-verbose', '/data/b.jpg'], '', dir).stdout).toContain('JPEG image is 16w * 16h, 3 color components, 8 bits per sample');
    },
  },
  'zlib-ng': {
    "minigzip compresses to gzip that the host's gzip reads, and back": (r) => {
      const dir = tempDir('zlib-ng-minigzip');
      fs.writeFileSync(path.join(dir, 'text.txt'), TEXT);
      expect(run(r, 'zlib-ng', 'minigzip', ['-9', '/data/text.txt'], '', dir)).toMatchObject({ status: 0, stderr: '' });
      expect(fs.existsSync(path.join(dir, 'text.txt'))).toBe(false);
      expect(execFileSync('gzip', ['-dc', path.join(dir, 'text.txt.gz')], { encoding: 'utf8' })).toBe(TEXT);
      expect(run(r, 'zlib-ng', 'minigzip', ['-d', '/data/text.txt.gz'], '', dir).status).toBe(0);
      expect(fs.readFileSync(path.join(dir, 'text.txt'), 'utf8')).toBe(TEXT);
    },
    "minideflate writes a zlib stream that Node's inflate reads, and back": (r) => {
      const dir = tempDir('zlib-ng-minideflate');
      fs.writeFileSync(path.join(dir, 'text.txt'), TEXT);
      // -w 15: a zlib stream (text.txt.z); without -w, minideflate writes gzip.
      expect(run(r, 'zlib-ng', 'minideflate', ['-k', '-6', '-w', '15', '/data/text.txt'], '', dir)).toMatchObject({ status: 0, stderr: '' });
      const packed = fs.readFileSync(path.join(dir, 'text.txt.z'));
      expect(packed.length).toBeLessThan(TEXT.length / 3);
      expect(zlib.inflateSync(packed).toString('utf8')).toBe(TEXT);
      fs.rmSync(path.join(dir, 'text.txt'));
      expect(run(r, 'zlib-ng', 'minideflate', ['-d', '-w', '15', '/data/text.txt.z'], '', dir).status).toBe(0);
      expect(fs.readFileSync(path.join(dir, 'text.txt'), 'utf8')).toBe(TEXT);
    },
  },
  lua: {
    'lua runs a script from a file and from stdin, reads and writes files, and reports errors': (r) => {
      const dir = tempDir('lua');
      fs.writeFileSync(path.join(dir, 'words.txt'), TEXT);
      fs.writeFileSync(
        path.join(dir, 'count.lua'),
        [
          'local counts = {}',
          'for line in io.lines(arg[1]) do',
          '  for w in line:gmatch("%a+") do counts[w] = (counts[w] or 0) + 1 end',
          'end',
          'local out = assert(io.open(arg[2], "w"))',
          'out:write(string.format("fox=%d line=%d\\n", counts.fox, counts.line))',
          'out:close()',
          'print(_VERSION, #arg, select("#", ...))',
        ].join('\n'),
      );
      const script = run(r, 'lua', 'lua', ['/data/count.lua', '/data/words.txt', '/data/counts.txt'], '', dir);
      expect(script).toMatchObject({ status: 0, stdout: 'Lua 5.4\t2\t2\n' });
      expect(fs.readFileSync(path.join(dir, 'counts.txt'), 'utf8')).toBe('fox=400 line=400\n');
      expect(run(r, 'lua', 'lua', ['-'], 'local t = {} for i = 1, 10 do t[i] = i * i end print(table.concat(t, ","))').stdout).toBe(
        '1,4,9,16,25,36,49,64,81,100\n',
      );
      expect(run(r, 'lua', 'lua', ['-v']).stdout).toBe('Lua 5.4.8  Copyright (C) 1994-2025 Lua.org, PUC-Rio\n');
      const bad = run(r, 'lua', 'lua', ['-e', 'error("no such thing")']);
      expect(bad.status).toBe(1);
      expect(bad.stderr).toContain('lua: (command line):1: no such thing');
    },
  },
  sqlite: {
    'sqlite3 answers SQL on stdin': (r) => {
      expect(run(r, 'sqlite', 'sqlite3', [], 'create table t(x); insert into t values (41); select x+1 from t;').stdout).toBe('42\n');
    },
  },
};

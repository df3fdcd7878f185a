// libpng 1.6.44: the library and its pngfix and png-fix-itxt programs, from the libpng tree that
// the libpng-src crate (0.2.3) vendors whole, contrib/ tests and test images included. zlib is
// the zlib package of this set.
//   wpm run packages/default.jsonnet -A libpng --bin pngfix --dir . -- --out=fixed.png in.png
//
// pnglibconf.h is upstream's scripts/pnglibconf.h.prebuilt, copied as CMakeLists.txt does where
// no awk generates it (the default configuration). libpng reports errors by longjmp from
// png_error to the caller's setjmp(png_jmpbuf(…)): WebAssembly's setjmp/longjmp is built on its
// exception-handling instructions, so libpng and every program using it are compiled with
// -mllvm -wasm-enable-sjlj and linked with wasi-libc's libsetjmp.
local wpm = import 'wpm.libsonnet';
local cc = import 'cc.libsonnet';
local checks = import 'checks.libsonnet';
local upstream = import 'upstream.libsonnet';
local zlib = import '../zlib/default.jsonnet';
local posixCompat = import '../tools/posix-compat/default.libsonnet';

local version = '1.6.44';
local up = upstream.crate({
  crate: 'libpng-src',
  version: '0.2.3',
  sha256: '6189252c6416ae6e97e267f143cfa9ab639bbddfafddf9c6108c07669ebc090b',
  dir: 'libpng',
});
local src = up.src;

local pnglibconf = upstream.configureFile({ name: 'pnglibconf.h', template: src + '/scripts/pnglibconf.h.prebuilt', vars: {} });
local sjlj = { cflags: ['-mllvm', '-wasm-enable-sjlj'] };

local lib = cc.staticLibrary(sjlj {
  name: 'png',
  srcs: [src + '/' + f + '.c' for f in ['png', 'pngerror', 'pngget', 'pngmem', 'pngpread', 'pngread', 'pngrio', 'pngrtran',
                                         'pngrutil', 'pngset', 'pngtrans', 'pngwio', 'pngwrite', 'pngwtran', 'pngwutil']],
  hdrs: [src + '/png.h', src + '/pngconf.h', pnglibconf + '/pnglibconf.h'],
  includes: [src],
  deps: [zlib],
  linkflags: ['-lsetjmp'],
});
// Makefile.am's bin_PROGRAMS.
local program(name, file, extra={}) = cc.executable(sjlj { name: name, srcs: [src + '/' + file], deps: [lib] } + extra);
local pngfix = program('pngfix', 'contrib/tools/pngfix.c');
local pngFixItxt = program('png-fix-itxt', 'contrib/tools/png-fix-itxt.c');

// check_PROGRAMS that TESTS run. pngvalid catches SIGFPE and the like with signal(), which is
// wasi-libc's signal emulation here (nothing is delivered).
local pngtest = program('pngtest', 'pngtest.c');
local pngvalid = program('pngvalid', 'contrib/libtests/pngvalid.c',
                         { defines: { _WASI_EMULATED_SIGNAL: true }, ldflags: ['-lwasi-emulated-signal'] });
// pngstest writes through tmpfile(), which wasi-libc leaves out (WASI names no temporary
// directory): posix-compat's makes the file in the working directory.
local pngstest = program('pngstest', 'contrib/libtests/pngstest.c', { cflags+: posixCompat.cflags, deps+: [posixCompat] });
local pngunknown = program('pngunknown', 'contrib/libtests/pngunknown.c');
local pngimage = program('pngimage', 'contrib/libtests/pngimage.c');

// tests/pngtest-all: pngtest on pngtest.png, then on the crashers (fuzzer finds) that must be
// refused (--xfail: pngtest exits 0 when reading fails as expected).
local run(name, program, args) = checks.run({ name: name, program: program, args: args });
local crashers = ['bad_iCCP', 'badadler', 'empty_ancillary_chunks', 'huge_IDAT'] + [
  'huge_' + c + '_chunk'
  for c in ['bKGD', 'cHRM', 'eXIf', 'gAMA', 'hIST', 'iCCP', 'iTXt', 'pCAL', 'pHYs', 'sCAL', 'sPLT', 'sRGB', 'sTER', 'tEXt', 'tIME', 'zTXt']
] + ['huge_juNK_unsafe_to_copy', 'huge_juNk_safe_to_copy'];
local pngtestChecks = {
  'pngtest-strict': run('pngtest-strict', pngtest, ['--strict', src + '/pngtest.png']),
  'pngtest-badcrc': run('pngtest-badcrc', pngtest, ['--relaxed', src + '/contrib/testpngs/crashers/badcrc.png']),
} + {
  ['pngtest-' + c]: run('pngtest-' + c, pngtest, ['--xfail', src + '/contrib/testpngs/crashers/' + c + '.png'])
  for c in crashers
};

// tests/pngvalid-*: one pngvalid run each.
local pngvalidRuns = {
  'gamma-16-to-8': ['--gamma-16-to-8'],
  'gamma-alpha-mode': ['--gamma-alpha-mode'],
  'gamma-background': ['--gamma-background'],
  'gamma-expand16-alpha-mode': ['--gamma-alpha-mode', '--expand16'],
  'gamma-expand16-background': ['--gamma-background', '--expand16'],
  'gamma-expand16-transform': ['--gamma-transform', '--expand16'],
  'gamma-sbit': ['--gamma-sbit'],
  'gamma-threshold': ['--gamma-threshold'],
  'gamma-transform': ['--gamma-transform'],
  'progressive-size': ['--size', '--progressive-read'],
  'progressive-interlace-standard': ['--standard', '--progressive-read', '--interlace'],
  transform: ['--transform'],
  'progressive-standard': ['--standard', '--progressive-read'],
  standard: ['--standard'],
};

// tests/pngstest GAMMA ALPHA: pngstest over the contrib/testpngs images of one gamma (by the
// name's -linear, -sRGB, -1.8 or none) and of one kind of alpha (-alpha; else all, tRNS or not).
local testpngs = std.sort([
  kind + '-' + bits + gamma + trns
  for kind in ['gray', 'palette']
  for bits in ['1', '2', '4', '8'] + (if kind == 'gray' then ['16'] else [])
  for gamma in ['', '-1.8', '-linear', '-sRGB']
  for trns in ['', '-tRNS']
] + [
  'rgb-' + bits + gamma + trns
  for bits in ['8', '16']
  for gamma in ['', '-1.8', '-linear', '-sRGB']
  for trns in ['', '-tRNS']
] + [
  kind + '-alpha-' + bits + gamma
  for kind in ['gray', 'rgb']
  for bits in ['8', '16']
  for gamma in ['', '-1.8', '-linear', '-sRGB']
]);
local has(name, part) = std.length(std.findSubstr(part + '-', name + '-')) > 0;
local gammaOf(name) =
  if has(name, '-linear') then 'linear' else if has(name, '-sRGB') then 'sRGB' else if has(name, '-1.8') then '1.8' else 'none';
local pngstestCheck(gamma, alpha) =
  local files = [f for f in testpngs if gammaOf(f) == gamma && (has(f, '-alpha') == (alpha == 'alpha'))];
  local name = 'pngstest-' + gamma + (if alpha == 'alpha' then '-alpha' else '');
  run(name, pngstest, ['--tmpfile', gamma + '-' + alpha + '-', '--log'] + [src + '/contrib/testpngs/' + f + '.png' for f in files]);

// tests/pngunknown-*: pngunknown on pngtest.png, keeping or dropping unknown chunks.
local pngunknownRuns = {
  IDAT: ['default=discard', 'IDAT=save'],
  discard: ['default=discard'],
  'if-safe': ['default=if-safe'],
  sAPI: ['bKGD=save', 'cHRM=save', 'gAMA=save', 'all=discard', 'iCCP=save', 'sBIT=save', 'sRGB=save', 'eXIf=save'],
  sTER: ['sTER=if-safe'],
  save: ['default=save'],
  vpAg: ['vpAg=if-safe'],
};

// tests/pngimage-quick and -full: every transform combination pngimage knows over PngSuite.
local pngsuite = [src + '/contrib/pngsuite/' + f + '.png' for f in [
  'basn0g01', 'basn0g02', 'basn0g04', 'basn0g08', 'basn0g16', 'basn2c08', 'basn2c16', 'basn3p01', 'basn3p02', 'basn3p04',
  'basn3p08', 'basn4a08', 'basn4a16', 'basn6a08', 'basn6a16', 'ftbbn0g01', 'ftbbn0g02', 'ftbbn0g04', 'ftbbn2c16',
  'ftbbn3p08', 'ftbgn2c16', 'ftbgn3p08', 'ftbrn2c08', 'ftbwn0g16', 'ftbwn3p08', 'ftbyn3p08', 'ftp0n0g08', 'ftp0n2c08',
  'ftp0n3p08', 'ftp1n3p08', 'ibasn0g08', 'ibasn0g16', 'ibasn2c08', 'ibasn2c16', 'ibasn3p08', 'ibasn4a08', 'ibasn4a16',
  'ibasn6a08', 'ibasn6a16', 'iftbbn2c16', 'iftbbn3p08', 'iftbgn2c16', 'iftbgn3p08', 'iftbrn2c08', 'iftbwn0g16',
  'iftbwn3p08', 'iftbyn3p08', 'iftp0n0g08', 'iftp0n2c08', 'iftp0n3p08', 'iftp1n3p08',
]];

upstream.package({
  name: 'libpng',
  version: version,
  source: up.source,
  tarball: up.tarball,
  library: lib,
  programs: [pngfix, pngFixItxt],
  checks: pngtestChecks + {
    ['pngvalid-' + t]: run('pngvalid-' + t, pngvalid, ['--strict'] + pngvalidRuns[t])
    for t in std.objectFields(pngvalidRuns)
  } + {
    [c.name]: c
    for c in [pngstestCheck(g, a) for g in ['1.8', 'linear', 'none', 'sRGB'] for a in ['none', 'alpha']]
  } + {
    ['pngunknown-' + t]: run('pngunknown-' + t, pngunknown, ['--strict'] + pngunknownRuns[t] + [src + '/pngtest.png'])
    for t in std.objectFields(pngunknownRuns)
  } + {
    'pngimage-quick': run('pngimage-quick', pngimage, ['--list-combos', '--log'] + pngsuite),
    'pngimage-full': run('pngimage-full', pngimage, ['--exhaustive', '--list-combos', '--log'] + pngsuite),
  },
  leftOut: {
    'pngtest-all (its badpal/ half)': "pngtest over contrib/testpngs/badpal, whose exit status the script ignores: the test is that a sh pipeline finds two warnings in pngtest's output, and a check compares the whole output or none",
  },
})

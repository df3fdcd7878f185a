// libjpeg-turbo 3.1.0: libjpeg and the TurboJPEG library, and the cjpeg, djpeg, jpegtran,
// rdjpgcom and wrjpgcom programs, from the libjpeg-turbo tree that the turbojpeg-sys crate
// (1.2.0) vendors: sources, CMakeLists.txt and its templates, tjunittest; not testimages/.
//   wpm run packages/default.jsonnet -A libjpeg-turbo --bin cjpeg < image.ppm > image.jpg
//
// Built as CMakeLists.txt builds it without SIMD (WITH_SIMD=0: the SIMD code is x86, Arm, MIPS,
// PowerPC and LoongArch assembly or intrinsics). jconfig.h, jconfigint.h and jversion.h are
// CMake's configure_file of upstream's templates (upstream.configureFile), with what CMake's
// checks find for wasm32-wasip1. The 12- and 16-bit-per-sample code is the same sources
// compiled again with BITS_IN_JSAMPLE, as upstream's jpeg12/jpeg16 object libraries are.
local wpm = import 'wpm.libsonnet';
local cc = import 'cc.libsonnet';
local checks = import 'checks.libsonnet';
local upstream = import 'upstream.libsonnet';

local version = '3.1.0';
local up = upstream.crate({
  crate: 'turbojpeg-sys',
  version: '1.2.0',
  sha256: '49b5a974bc59382d35927e3a07eef2ba9a24fe7227cefe52ec44b508e1b90f86',
  dir: 'libjpeg-turbo',
});
local src = up.src + '/src';

local configure(name, vars) = upstream.configureFile({ name: name, template: src + '/' + name + '.in', vars: vars, cmake: true });
// What CMakeLists.txt sets and finds here: the libjpeg v6b API (JPEG_LIB_VERSION 62, its
// default), arithmetic coding both ways (its defaults), no SIMD, a signed right shift, a 4-byte
// size_t that is unsigned long (so __builtin_ctzl), clang's forced inline, hidden visibility and
// __thread. BUILD, a date stamp by default (a cache variable the builder may set), is fixed
// here so that the program is the same bytes whenever it is built.
local jconfig = configure('jconfig.h', {
  JPEG_LIB_VERSION: 62,
  VERSION: version,
  LIBJPEG_TURBO_VERSION_NUMBER: 3001000,
  C_ARITH_CODING_SUPPORTED: true,
  D_ARITH_CODING_SUPPORTED: true,
  WITH_SIMD: false,
  RIGHT_SHIFT_IS_UNSIGNED: false,
});
local jconfigint = configure('jconfigint.h', {
  BUILD: 'wpm',
  HIDDEN: '__attribute__((visibility("hidden")))',
  INLINE: '__inline__ __attribute__((always_inline))',
  THREAD_LOCAL: '__thread',
  CMAKE_PROJECT_NAME: 'libjpeg-turbo',
  VERSION: version,
  SIZE_T: 4,
  HAVE_BUILTIN_CTZL: true,
  HAVE_INTRIN_H: false,
  C_ARITH_CODING_SUPPORTED: true,
  D_ARITH_CODING_SUPPORTED: true,
  WITH_SIMD: false,
});
local jversion = configure('jversion.h', { COPYRIGHT_YEAR: '1991-2024' });

local flags = { includes: [jconfigint, jversion, src] };
// turbojpeg.c and cjpeg.c recover from libjpeg's errors with setjmp/longjmp, which WebAssembly
// builds on its exception-handling instructions (wasi-libc's libsetjmp).
local sjlj = ['-mllvm', '-wasm-enable-sjlj'];

// CMakeLists.txt's JPEG16_SOURCES ⊂ JPEG12_SOURCES ⊂ JPEG_SOURCES.
local jpeg16 = ['jcapistd', 'jccolor', 'jcdiffct', 'jclossls', 'jcmainct', 'jcprepct', 'jcsample', 'jdapistd', 'jdcolor',
                'jddiffct', 'jdlossls', 'jdmainct', 'jdpostct', 'jdsample', 'jutils'];
local jpeg12 = jpeg16 + ['jccoefct', 'jcdctmgr', 'jdcoefct', 'jddctmgr', 'jdmerge', 'jfdctfst', 'jfdctint', 'jidctflt',
                         'jidctfst', 'jidctint', 'jidctred', 'jquant1', 'jquant2'];
local jpeg = jpeg12 + ['jcapimin', 'jchuff', 'jcicc', 'jcinit', 'jclhuff', 'jcmarker', 'jcmaster', 'jcomapi', 'jcparam',
                       'jcphuff', 'jctrans', 'jdapimin', 'jdatadst', 'jdatasrc', 'jdhuff', 'jdicc', 'jdinput', 'jdlhuff',
                       'jdmarker', 'jdmaster', 'jdphuff', 'jdtrans', 'jerror', 'jfdctflt', 'jmemmgr', 'jmemnobs',
                       'jpeg_nbits', 'jaricom', 'jcarith', 'jdarith'];
// A source compiled for another sample size, as an object of its own name.
local bits(n, f, defines={}) = { src: src + '/' + f + '.c', name: f + '-' + n + '.o', defines: { BITS_IN_JSAMPLE: n } + defines };

local libjpeg = cc.staticLibrary(flags {
  name: 'jpeg',
  srcs: [src + '/' + f + '.c' for f in jpeg] + [bits(12, f) for f in jpeg12] + [bits(16, f) for f in jpeg16],
  hdrs: [jconfig + '/jconfig.h', src + '/jerror.h', src + '/jmorecfg.h', src + '/jpeglib.h'],
});
// turbojpeg-static is JPEG_SOURCES and the jpeg12/jpeg16 objects again, plus the files below,
// all compiled with -DBMP_SUPPORTED -DPPM_SUPPORTED. Those defines reach only the files that
// include cderror.h (through cdjpeg.h), none of JPEG_SOURCES: so here libturbojpeg.a holds the
// TurboJPEG files alone and links libjpeg.a, whose objects are the same.
local tjDefines = { BMP_SUPPORTED: true, PPM_SUPPORTED: true };
local libturbojpeg = cc.staticLibrary(flags {
  name: 'turbojpeg',
  srcs: [src + '/' + f + '.c' for f in ['turbojpeg', 'transupp', 'jdatadst-tj', 'jdatasrc-tj', 'rdbmp', 'rdppm', 'wrbmp', 'wrppm']]
        + [bits(n, f, { PPM_SUPPORTED: true }) for n in [12, 16] for f in ['rdppm', 'wrppm']],
  defines: tjDefines,
  cflags: sjlj,
  hdrs: [src + '/turbojpeg.h'],
  deps: [libjpeg],
  linkflags: ['-lsetjmp'],
});

// The programs, as CMakeLists.txt's cjpeg-static, djpeg-static and jpegtran-static.
local cdjpeg = { BMP_SUPPORTED: true, GIF_SUPPORTED: true, PPM_SUPPORTED: true, TARGA_SUPPORTED: true };
local cjpeg = cc.executable(flags {
  name: 'cjpeg',
  srcs: [src + '/' + f + '.c' for f in ['cjpeg', 'cdjpeg', 'rdbmp', 'rdgif', 'rdppm', 'rdswitch', 'rdtarga']]
        + [bits(n, 'rdppm', { GIF_SUPPORTED: true, PPM_SUPPORTED: true }) for n in [12, 16]],
  defines: cdjpeg,
  cflags: sjlj,
  ldflags: ['-lsetjmp'],
  deps: [libjpeg],
});
local djpeg = cc.executable(flags {
  name: 'djpeg',
  srcs: [src + '/' + f + '.c' for f in ['djpeg', 'cdjpeg', 'rdcolmap', 'rdswitch', 'wrbmp', 'wrgif', 'wrppm', 'wrtarga']]
        + [bits(12, f, { GIF_SUPPORTED: true, PPM_SUPPORTED: true }) for f in ['rdcolmap', 'wrgif', 'wrppm']]
        + [bits(16, 'wrppm', { PPM_SUPPORTED: true })],
  defines: cdjpeg,
  deps: [libjpeg],
});
local jpegtran = cc.executable(flags {
  name: 'jpegtran',
  srcs: [src + '/' + f + '.c' for f in ['jpegtran', 'cdjpeg', 'rdswitch', 'transupp']],
  deps: [libjpeg],
});
// rdjpgcom and wrjpgcom read JPEG markers themselves, without libjpeg (but with its jconfig.h).
local rdjpgcom = cc.executable({ name: 'rdjpgcom', srcs: [src + '/rdjpgcom.c'], includes: [jconfig] + flags.includes });
local wrjpgcom = cc.executable({ name: 'wrjpgcom', srcs: [src + '/wrjpgcom.c'], includes: [jconfig] + flags.includes });

// tjunittest-static and CMakeLists.txt's tjunittest tests: it makes its own test images,
// compresses and decompresses them through the TurboJPEG API in every subsampling, pixel format
// and precision, and checks the pixels (and, with -bmp, the BMP/PPM files it writes by MD5).
// It names its files after its process id: wasi-libc's getpid emulation.
local tjunittest = cc.executable(flags {
  name: 'tjunittest',
  srcs: [src + '/' + f for f in ['tjunittest.c', 'tjutil.c', 'md5/md5.c', 'md5/md5hl.c']],
  defines: { _WASI_EMULATED_GETPID: true },
  cflags: sjlj,
  ldflags: ['-lwasi-emulated-getpid'],
  deps: [libturbojpeg],
});
local tjRuns = {
  '': [], '-alloc': ['-alloc'], '-yuv': ['-yuv'], '-yuv-alloc': ['-yuv', '-alloc'], '-yuv-nopad': ['-yuv', '-noyuvpad'],
  '-lossless': ['-lossless'], '-lossless-alloc': ['-lossless', '-alloc'], '-bmp': ['-bmp'],
  '12': ['-precision', '12'], '12-alloc': ['-precision', '12', '-alloc'], '12-lossless': ['-precision', '12', '-lossless'],
  '12-lossless-alloc': ['-precision', '12', '-lossless', '-alloc'], '12-bmp': ['-precision', '12', '-bmp'],
} + std.foldl(function(acc, p) acc + {
  [p + '-lossless']: ['-precision', p],
  [p + '-lossless-alloc']: ['-precision', p, '-alloc'],
  [p + '-bmp']: ['-precision', p, '-bmp'],
}, [std.toString(p) for p in [2, 3, 4, 5, 6, 7, 9, 10, 11, 13, 14, 15, 16]], {});
// Named as CMakeLists.txt names them, less the library type: tjunittest-yuv, tjunittest12-bmp.
local tjCheck(suffix) = checks.run({ name: 'tjunittest' + suffix, program: tjunittest, args: tjRuns[suffix] });

upstream.package({
  name: 'libjpeg-turbo',
  version: version,
  source: up.source,
  tarball: up.tarball,
  library: [libturbojpeg, libjpeg],
  programs: [cjpeg, djpeg, jpegtran, rdjpgcom, wrjpgcom],
  checks: { ['tjunittest' + s]: tjCheck(s) for s in std.objectFields(tjRuns) },
  leftOut: {
    'cjpeg, djpeg and jpegtran tests (add_bittest, about 120 with their md5cmp)': "compress, decompress and transform testimages/ (testorig.ppm, testorig.jpg, …) and compare with MD5 sums: the crate leaves testimages/ out, and no reachable channel carries them",
    'tjbench tile tests': 'tjbench over testimages/testorig.ppm, which the crate leaves out',
    'example-8bit/12bit/16bit compress and decompress': 'example.c over testimages/, which the crate leaves out',
    'tjunittest-shared (all variants)': 'the same tests against libturbojpeg.so: wasm32-wasip1 programs are linked statically',
    'TJUnitTest (Java)': 'the Java wrapper is not built',
  },
})

// XZ Utils 5.2.5: liblzma and the xzdec, lzmadec and lzmainfo programs, from the xz source tree
// that the lzma-sys crate (0.1.20) vendors, tests and test files included.
//   wpm run packages/default.jsonnet -A xz --bin xzdec < file.xz > file
//
// The xz program itself is not built: its file handling waits for signals on a pipe (poll and a
// self-pipe, src/xz/file_io.c), which WASI has no way to make. xzdec, upstream's small
// decompressor, is the command-line program here. config.h, which configure would write, is
// config/config.h (reviewed).
local wpm = import 'wpm.libsonnet';
local cc = import 'cc.libsonnet';
local checks = import 'checks.libsonnet';
local upstream = import 'upstream.libsonnet';
local posixCompat = import '../tools/posix-compat/default.libsonnet';

local up = upstream.crate({
  crate: 'lzma-sys',
  version: '0.1.20',
  sha256: '5fda04ab3764e6cde78b9974eec4f779acaba7c4e84b36eca3cf77c581b85d27',
  dir: 'xz-5.2',
});
local src = up.src;
local lz = src + '/src/liblzma';
local config = wpm.path(std.thisFile, 'config');

// src/liblzma/*/Makefile.inc with configure's defaults, without threads (hardware_cputhreads.c,
// outqueue.c, stream_encoder_mt.c) and without the x86 assembly CRCs.
local sources = [
  'common/common', 'common/block_util', 'common/easy_preset', 'common/filter_common', 'common/hardware_physmem',
  'common/index', 'common/stream_flags_common', 'common/vli_size',
  'common/alone_encoder', 'common/block_buffer_encoder', 'common/block_encoder', 'common/block_header_encoder',
  'common/easy_buffer_encoder', 'common/easy_encoder', 'common/easy_encoder_memusage', 'common/filter_buffer_encoder',
  'common/filter_encoder', 'common/filter_flags_encoder', 'common/index_encoder', 'common/stream_buffer_encoder',
  'common/stream_encoder', 'common/stream_flags_encoder', 'common/vli_encoder',
  'common/alone_decoder', 'common/auto_decoder', 'common/block_buffer_decoder', 'common/block_decoder',
  'common/block_header_decoder', 'common/easy_decoder_memusage', 'common/filter_buffer_decoder', 'common/filter_decoder',
  'common/filter_flags_decoder', 'common/index_decoder', 'common/index_hash', 'common/stream_buffer_decoder',
  'common/stream_decoder', 'common/stream_flags_decoder', 'common/vli_decoder',
  'check/check', 'check/crc32_table', 'check/crc32_fast', 'check/crc64_table', 'check/crc64_fast', 'check/sha256',
  'lz/lz_encoder', 'lz/lz_encoder_mf', 'lz/lz_decoder',
  'lzma/lzma_encoder_presets', 'lzma/lzma_encoder', 'lzma/lzma_encoder_optimum_fast', 'lzma/lzma_encoder_optimum_normal',
  'lzma/fastpos_table', 'lzma/lzma_decoder', 'lzma/lzma2_encoder', 'lzma/lzma2_decoder',
  'rangecoder/price_table',
  'delta/delta_common', 'delta/delta_encoder', 'delta/delta_decoder',
  'simple/simple_coder', 'simple/simple_encoder', 'simple/simple_decoder', 'simple/x86', 'simple/powerpc', 'simple/ia64',
  'simple/arm', 'simple/armthumb', 'simple/sparc',
];
// gnu99: what configure's AC_PROG_CC_C99 chooses. src/common/mythread.h masks signals with
// sigprocmask even without threads: wasi-libc's signal emulation and posix-compat's mask.
local common = {
  defines: { HAVE_CONFIG_H: true, _WASI_EMULATED_SIGNAL: true },
  cstd: 'gnu99',
  includes: [config, src + '/src/common'],
  cflags: posixCompat.cflags,
  deps: [posixCompat],
};
local lib = cc.staticLibrary(common {
  name: 'lzma',
  srcs: [lz + '/' + f + '.c' for f in sources] + [src + '/src/common/tuklib_physmem.c'],
  hdrs: lz + '/api',
  linkflags: ['-lwasi-emulated-signal'],
  includes+: [lz + '/' + d for d in ['common', 'check', 'lz', 'rangecoder', 'lzma', 'delta', 'simple']],
});
// src/xzdec/Makefile.am: xzdec, and lzmadec (the same source with LZMADEC defined).
local tool(name, file, defines={}) = cc.executable(common {
  name: name,
  srcs: [src + '/src/' + file, src + '/src/common/tuklib_progname.c', src + '/src/common/tuklib_exit.c'],
  defines+: { TUKLIB_GETTEXT: 0 } + defines,
  deps: [lib],
});
local xzdec = tool('xzdec', 'xzdec/xzdec.c');
local lzmadec = tool('lzmadec', 'xzdec/xzdec.c', { LZMADEC: true });
local lzmainfo = tool('lzmainfo', 'lzmainfo/lzmainfo.c');

// tests/Makefile.am's TESTS: six C programs, and test_files.sh, which decompresses every file of
// tests/files with xz and xzdec: the good-* ones must decompress, the bad-* ones must be
// refused. Here each file is a check with xzdec (exit status 1 for the bad ones).
local test(name) = checks.run({
  name: name,
  program: cc.executable(common { name: name, srcs: [src + '/tests/' + name + '.c'], includes+: [src + '/tests', lz + '/api'], deps: [lib] }),
});
local goodFiles = [
  'good-0-empty', 'good-0cat-empty', 'good-0catpad-empty', 'good-0pad-empty', 'good-1-3delta-lzma2', 'good-1-block_header-1',
  'good-1-block_header-2', 'good-1-block_header-3', 'good-1-check-crc32', 'good-1-check-crc64', 'good-1-check-none',
  'good-1-check-sha256', 'good-1-delta-lzma2.tiff', 'good-1-lzma2-1', 'good-1-lzma2-2', 'good-1-lzma2-3', 'good-1-lzma2-4',
  'good-1-lzma2-5', 'good-1-sparc-lzma2', 'good-1-x86-lzma2', 'good-2-lzma2',
];
local badFiles = [
  'bad-0-backward_size', 'bad-0-empty-truncated', 'bad-0-footer_magic', 'bad-0-header_magic', 'bad-0-nonempty_index',
  'bad-0cat-alone', 'bad-0cat-header_magic', 'bad-0catpad-empty', 'bad-0pad-empty', 'bad-1-block_header-1',
  'bad-1-block_header-2', 'bad-1-block_header-3', 'bad-1-block_header-4', 'bad-1-block_header-5', 'bad-1-block_header-6',
  'bad-1-check-crc32', 'bad-1-check-crc64', 'bad-1-check-sha256', 'bad-1-lzma2-1', 'bad-1-lzma2-2', 'bad-1-lzma2-3',
  'bad-1-lzma2-4', 'bad-1-lzma2-5', 'bad-1-lzma2-6', 'bad-1-lzma2-7', 'bad-1-lzma2-8', 'bad-1-stream_flags-1',
  'bad-1-stream_flags-2', 'bad-1-stream_flags-3', 'bad-1-vli-1', 'bad-1-vli-2', 'bad-2-compressed_data_padding',
  'bad-2-index-1', 'bad-2-index-2', 'bad-2-index-3', 'bad-2-index-4', 'bad-2-index-5',
];
local fileCheck(f, status) = checks.run({
  name: 'test_files-' + f,
  program: xzdec,
  args: [src + '/tests/files/' + f + '.xz'],
  status: status,
});

upstream.package({
  name: 'xz',
  version: '5.2.5',
  source: up.source,
  tarball: up.tarball,
  library: lib,
  programs: [xzdec, lzmadec, lzmainfo],
  checks: {
    [t]: test(t)
    for t in ['test_check', 'test_stream_flags', 'test_filter_flags', 'test_block_header', 'test_index', 'test_bcj_exact_size']
  } + { ['test_files-' + f]: fileCheck(f, 0) for f in goodFiles } + { ['test_files-' + f]: fileCheck(f, 1) for f in badFiles },
  leftOut: {
    'test_compress.sh': 'compresses files made by create_compress_files with the xz program, which is not built (see above), through pipes',
    'test_scripts.sh': 'tests xzdiff and xzgrep, sh scripts that start processes',
    'test_files.sh (its xz -dc half)': 'the same files through the xz program, which is not built; each is decompressed by xzdec here',
  },
})

// libsodium 1.0.22: the portable NaCl-style crypto library, from the release tarball
// (LATEST.tar.gz) that the libsodium-sys-stable crate (1.24.3) carries whole, with its test
// suite: each test writes its results and compares them with upstream's .exp file. libsodium
// has no command-line program.
//
// configure's results are the defines below: what its configure.ac finds when the host is
// wasm32-wasi (it has a WASI case: no mmap, mlock, mprotect, raise, sysconf, getpid), with
// upstream's own wasm32-wasi build settings (dist-build/wasm32-wasi.sh: ED25519_NONDETERMINISTIC,
// no threads). sodium/version.h is made from upstream's version.h.in by a Python step.
local wpm = import 'wpm.libsonnet';
local cc = import 'cc.libsonnet';
local checks = import 'checks.libsonnet';
local upstream = import 'upstream.libsonnet';

local version = '1.0.22';
local crate = upstream.crate({
  crate: 'libsodium-sys-stable',
  version: '1.24.3',
  sha256: '1f55c1c508d31e2cf0a649c9c889e4bcf554cbfb2a6803f049f219784b044283',
});
local src = wpm.unpack('libsodium-' + version, crate.src + '/LATEST.tar.gz', strip=1).out;
local lib_ = src + '/src/libsodium';

local versionHeader = upstream.configureFile({
  name: 'sodium/version.h',
  template: lib_ + '/include/sodium/version.h.in',
  vars: { VERSION: version, SODIUM_LIBRARY_VERSION_MAJOR: 26, SODIUM_LIBRARY_VERSION_MINOR: 4, SODIUM_LIBRARY_MINIMAL_DEF: '' },
});
// The public headers: include/sodium.h and include/sodium/*.h, with the generated version.h.
local headers = wpm.derivation({
  name: 'libsodium-headers',
  builder: cc.toolchain.installTool,
  args: ['install', lib_ + '/include', wpm.placeholder('out'),
         versionHeader + '/sodium/version.h', wpm.placeholder('out') + '/sodium/version.h'],
}).out;

local defines = {
  CONFIGURED: 1,
  NATIVE_LITTLE_ENDIAN: 1,
  ED25519_NONDETERMINISTIC: 1,
  HAVE_C_VARARRAYS: 1,
  HAVE_WEAK_SYMBOLS: 1,
  HAVE_ATOMIC_OPS: 1,
  HAVE_ALLOCA: 1,
  HAVE_ALLOCA_H: 1,
  HAVE_SYS_RANDOM_H: 1,
  HAVE_ARC4RANDOM: 1,
  HAVE_ARC4RANDOM_BUF: 1,
  HAVE_GETENTROPY: 1,
  HAVE_POSIX_MEMALIGN: 1,
  HAVE_NANOSLEEP: 1,
  HAVE_CLOCK_GETTIME: 1,
};

// src/libsodium/Makefile.am's libsodium_la_SOURCES, with its !MINIMAL and !EMSCRIPTEN parts and
// librdrand's one file. The SIMD convenience libraries (libsse2 … libavx512f, libaesni,
// libarmcrypto) hold implementations for x86 and ARM instruction sets, chosen at run time by
// CPU features; on wasm32 each compiles to nothing, so they are left out.
local sources = [
  'crypto_aead/aegis128l/aead_aegis128l.c', 'crypto_aead/aegis128l/aegis128l_soft.c',
  'crypto_aead/aegis256/aead_aegis256.c', 'crypto_aead/aegis256/aegis256_soft.c',
  'crypto_aead/aes256gcm/aead_aes256gcm.c', 'crypto_aead/chacha20poly1305/aead_chacha20poly1305.c',
  'crypto_aead/xchacha20poly1305/aead_xchacha20poly1305.c', 'crypto_auth/crypto_auth.c',
  'crypto_auth/hmacsha256/auth_hmacsha256.c', 'crypto_auth/hmacsha512/auth_hmacsha512.c',
  'crypto_auth/hmacsha512256/auth_hmacsha512256.c', 'crypto_box/crypto_box.c',
  'crypto_box/crypto_box_easy.c', 'crypto_box/crypto_box_seal.c',
  'crypto_box/curve25519xsalsa20poly1305/box_curve25519xsalsa20poly1305.c', 'crypto_core/ed25519/ref10/ed25519_ref10.c',
  'crypto_core/hchacha20/core_hchacha20.c', 'crypto_core/hsalsa20/ref2/core_hsalsa20_ref2.c',
  'crypto_core/hsalsa20/core_hsalsa20.c', 'crypto_core/keccak1600/keccak1600.c',
  'crypto_core/keccak1600/ref/keccak1600_ref.c', 'crypto_core/keccak1600/armsha3/keccak1600_armsha3.c',
  'crypto_core/salsa/ref/core_salsa_ref.c', 'crypto_core/softaes/softaes.c',
  'crypto_generichash/crypto_generichash.c', 'crypto_generichash/blake2b/generichash_blake2.c',
  'crypto_generichash/blake2b/ref/blake2b-compress-ref.c', 'crypto_generichash/blake2b/ref/blake2b-ref.c',
  'crypto_generichash/blake2b/ref/generichash_blake2b.c', 'crypto_hash/crypto_hash.c',
  'crypto_hash/sha256/hash_sha256.c', 'crypto_hash/sha256/cp/hash_sha256_cp.c',
  'crypto_hash/sha512/hash_sha512.c', 'crypto_hash/sha512/cp/hash_sha512_cp.c',
  'crypto_hash/sha3/hash_sha3.c', 'crypto_ipcrypt/crypto_ipcrypt.c',
  'crypto_ipcrypt/ipcrypt_soft.c', 'crypto_kdf/blake2b/kdf_blake2b.c',
  'crypto_kdf/crypto_kdf.c', 'crypto_kdf/hkdf/kdf_hkdf_sha256.c',
  'crypto_kdf/hkdf/kdf_hkdf_sha512.c', 'crypto_kem/crypto_kem.c',
  'crypto_kem/mlkem768/kem_mlkem768.c', 'crypto_kem/mlkem768/ref/kem_mlkem768_ref.c',
  'crypto_kem/xwing/kem_xwing.c', 'crypto_kx/crypto_kx.c',
  'crypto_onetimeauth/crypto_onetimeauth.c', 'crypto_onetimeauth/poly1305/onetimeauth_poly1305.c',
  'crypto_onetimeauth/poly1305/donna/poly1305_donna.c', 'crypto_pwhash/argon2/argon2-core.c',
  'crypto_pwhash/argon2/argon2-encoding.c', 'crypto_pwhash/argon2/argon2-fill-block-ref.c',
  'crypto_pwhash/argon2/argon2-fill-block-wasm32.c', 'crypto_pwhash/argon2/argon2.c',
  'crypto_pwhash/argon2/blake2b-long.c', 'crypto_pwhash/argon2/pwhash_argon2i.c',
  'crypto_pwhash/argon2/pwhash_argon2id.c', 'crypto_pwhash/crypto_pwhash.c',
  'crypto_scalarmult/crypto_scalarmult.c', 'crypto_scalarmult/curve25519/ref10/x25519_ref10.c',
  'crypto_scalarmult/curve25519/scalarmult_curve25519.c', 'crypto_secretbox/crypto_secretbox.c',
  'crypto_secretbox/crypto_secretbox_easy.c', 'crypto_secretbox/xsalsa20poly1305/secretbox_xsalsa20poly1305.c',
  'crypto_secretstream/xchacha20poly1305/secretstream_xchacha20poly1305.c', 'crypto_shorthash/crypto_shorthash.c',
  'crypto_shorthash/siphash24/shorthash_siphash24.c', 'crypto_shorthash/siphash24/ref/shorthash_siphash24_ref.c',
  'crypto_sign/crypto_sign.c', 'crypto_sign/ed25519/sign_ed25519.c',
  'crypto_sign/ed25519/ref10/keypair.c', 'crypto_sign/ed25519/ref10/open.c',
  'crypto_sign/ed25519/ref10/sign.c', 'crypto_stream/chacha20/stream_chacha20.c',
  'crypto_stream/chacha20/ref/chacha20_ref.c', 'crypto_stream/crypto_stream.c',
  'crypto_stream/salsa20/stream_salsa20.c', 'crypto_stream/xsalsa20/stream_xsalsa20.c',
  'crypto_verify/verify.c', 'crypto_xof/shake128/xof_shake128.c',
  'crypto_xof/shake128/ref/shake128_ref.c', 'crypto_xof/shake256/xof_shake256.c',
  'crypto_xof/shake256/ref/shake256_ref.c', 'crypto_xof/turboshake128/xof_turboshake128.c',
  'crypto_xof/turboshake128/ref/turboshake128_ref.c', 'crypto_xof/turboshake256/xof_turboshake256.c',
  'crypto_xof/turboshake256/ref/turboshake256_ref.c', 'randombytes/randombytes.c',
  'sodium/codecs.c', 'sodium/core.c',
  'sodium/runtime.c', 'sodium/utils.c',
  'sodium/version.c', 'crypto_box/curve25519xchacha20poly1305/box_curve25519xchacha20poly1305.c',
  'crypto_box/curve25519xchacha20poly1305/box_seal_curve25519xchacha20poly1305.c', 'crypto_core/ed25519/core_ed25519.c',
  'crypto_core/ed25519/core_ristretto255.c', 'crypto_pwhash/scryptsalsa208sha256/crypto_scrypt-common.c',
  'crypto_pwhash/scryptsalsa208sha256/scrypt_platform.c', 'crypto_pwhash/scryptsalsa208sha256/pbkdf2-sha256.c',
  'crypto_pwhash/scryptsalsa208sha256/pwhash_scryptsalsa208sha256.c', 'crypto_pwhash/scryptsalsa208sha256/nosse/pwhash_scryptsalsa208sha256_nosse.c',
  'crypto_scalarmult/ed25519/ref10/scalarmult_ed25519_ref10.c', 'crypto_scalarmult/ristretto255/ref10/scalarmult_ristretto255_ref10.c',
  'crypto_secretbox/xchacha20poly1305/secretbox_xchacha20poly1305.c', 'crypto_shorthash/siphash24/shorthash_siphashx24.c',
  'crypto_shorthash/siphash24/ref/shorthash_siphashx24_ref.c', 'crypto_sign/ed25519/ref10/obsolete.c',
  'crypto_stream/salsa2012/ref/stream_salsa2012_ref.c', 'crypto_stream/salsa2012/stream_salsa2012.c',
  'crypto_stream/salsa208/ref/stream_salsa208_ref.c', 'crypto_stream/salsa208/stream_salsa208.c',
  'crypto_stream/xchacha20/stream_xchacha20.c', 'randombytes/sysrandom/randombytes_sysrandom.c',
  // The `else` branches of `if HAVE_TI_MODE` (headers only) and `if HAVE_AMD64_ASM`.
  'crypto_stream/salsa20/ref/salsa20_ref.c',
  'randombytes/internal/randombytes_internal_random.c',
];
local lib = cc.staticLibrary({
  name: 'sodium',
  srcs: [lib_ + '/' + f for f in sources],
  hdrs: headers,
  defines: defines,
  includes: [headers + '/sodium'],
});

// test/default/Makefile.am's TESTS_TARGETS with its !MINIMAL part. cmptest.h's main writes
// NAME.res in the working directory and compares it with TEST_SRCDIR/NAME.exp.
local test(name) = checks.run({
  name: name,
  program: cc.executable({
    name: name,
    srcs: [src + '/test/default/' + name + '.c'],
    defines: defines + { TEST_SRCDIR: '"' + src + '/test/default"' },
    includes: [src + '/test/quirks'],
    deps: [lib],
  }),
});
local tests = [
  'aead_aegis128l', 'aead_aegis256', 'aead_aes256gcm', 'aead_aes256gcm2', 'aead_chacha20poly1305',
  'aead_chacha20poly13052', 'aead_xchacha20poly1305', 'auth', 'auth2', 'auth3',
  'auth5', 'auth6', 'auth7', 'box', 'box2',
  'box7', 'box8', 'box_easy', 'box_easy2', 'box_seal',
  'box_seed', 'chacha20', 'codecs', 'codecs2', 'codecs3',
  'core_keccak1600', 'core1', 'core2', 'core3', 'core4',
  'core5', 'core6', 'ed25519_convert', 'generichash', 'generichash2',
  'generichash3', 'hash', 'hash3', 'hash_sha3256', 'hash_sha3512',
  'ipcrypt', 'kdf', 'kem', 'kem_mlkem768', 'kem_xwing',
  'keygen', 'kx', 'metamorphic', 'misuse', 'onetimeauth',
  'onetimeauth2', 'onetimeauth7', 'pwhash_argon2i', 'pwhash_argon2id', 'pwhash_argon2id2',
  'randombytes', 'scalarmult', 'scalarmult2', 'scalarmult5', 'scalarmult6',
  'scalarmult7', 'scalarmult8', 'secretbox', 'secretbox2', 'secretbox7',
  'secretbox8', 'secretbox_easy', 'secretbox_easy2', 'secretstream_xchacha20poly1305', 'shorthash',
  'sign', 'sodium_core', 'sodium_utils', 'sodium_version', 'stream',
  'stream2', 'stream3', 'stream4', 'verify1', 'xof_shake128',
  'xof_shake256', 'xof_turboshake128', 'xof_turboshake256', 'xof2', 'core_ed25519',
  'core_ristretto255', 'kdf_hkdf', 'kdf_hkdf2', 'kdf_hkdf3', 'kdf_hkdf4',
  'pwhash_scrypt', 'stream5', 'stream6', 'pwhash_scrypt_ll', 'scalarmult_ed25519',
  'scalarmult_ristretto255', 'siphashx24', 'xchacha20',
];

upstream.package({
  name: 'libsodium',
  version: version,
  source: crate.source,
  tarball: crate.tarball,
  library: lib,
  checks: { [t]: test(t) for t in tests },
  local guard = 'checks that a write past a guarded allocation (mprotect) is caught as SIGSEGV; WASI has neither page protection nor signals, as Makefile.am says for Emscripten too',
  leftOut: {
    sodium_utils2: guard,
    sodium_utils3: guard,
    sodium_utils4: guard,
  },
})

// libxml2 2.9.12: the XML toolkit (parser, tree, XPath, XInclude, RelaxNG and XML Schemas,
// HTML, catalogs, readers and writers) and xmllint, from the libxml2 tree that the libxmljs npm
// package (1.0.11) vendors. Compressed documents are read through the zlib and xz packages of
// this set.
//   wpm run packages/default.jsonnet -A libxml2 --dir . -- --xpath '//title/text()' doc.xml
//
// Generated headers: config.h from upstream's config.h.cmake.in and libxml/xmlversion.h from
// xmlversion.h.in, by Python steps, with what CMakeLists.txt's checks find in wasi-libc and its
// default features less those WASI cannot have: threads, FTP and HTTP (sockets), modules
// (dlopen), iconv and ICU (libxml2 keeps its built-in UTF-8, UTF-16, Latin-1 and ASCII).
local wpm = import 'wpm.libsonnet';
local cc = import 'cc.libsonnet';
local checks = import 'checks.libsonnet';
local upstream = import 'upstream.libsonnet';
local zlib = import '../zlib/default.jsonnet';
local xz = import '../xz/default.jsonnet';
local posixCompat = import '../tools/posix-compat/default.libsonnet';

local version = '2.9.12';
local up = upstream.npm({
  package: 'libxmljs',
  version: '1.0.11',
  integrity: 'sha512-ChqXkhZuvhbjariwPakKs/h+dF5Pe7j+QJ/PmTidzx7mDiFa5chhy7806PQiO+VnBJZ5mVLVq4Dk+W7fZP6luw==',
  dir: 'vendor/libxml2',
});
local src = up.src;

local present = [
  'ATTRIBUTE_DESTRUCTOR', 'HAVE_CTYPE_H', 'HAVE_DIRENT_H', 'HAVE_ERRNO_H', 'HAVE_FCNTL_H', 'HAVE_FLOAT_H', 'HAVE_FPRINTF',
  'HAVE_GETTIMEOFDAY', 'HAVE_INTTYPES_H', 'HAVE_ISASCII', 'HAVE_ISINF', 'HAVE_ISNAN', 'HAVE_LIMITS_H', 'HAVE_LOCALTIME',
  'HAVE_LZMA_H', 'HAVE_MATH_H', 'HAVE_MEMORY_H', 'HAVE_PRINTF', 'HAVE_PUTENV', 'HAVE_RAND', 'HAVE_RAND_R', 'HAVE_SNPRINTF',
  'HAVE_SPRINTF', 'HAVE_SRAND', 'HAVE_SSCANF', 'HAVE_STAT', 'HAVE_STDARG_H', 'HAVE_STDINT_H', 'HAVE_STDLIB_H',
  'HAVE_STRFTIME', 'HAVE_STRINGS_H', 'HAVE_STRING_H', 'HAVE_SYS_STAT_H', 'HAVE_SYS_TIME_H', 'HAVE_SYS_TYPES_H', 'HAVE_TIME',
  'HAVE_TIME_H', 'HAVE_UNISTD_H', 'HAVE_VA_COPY', 'HAVE_VFPRINTF', 'HAVE_VSNPRINTF', 'HAVE_VSPRINTF', 'HAVE_ZLIB_H',
  'STDC_HEADERS',
];
local config = upstream.configureFile({
  name: 'config.h',
  template: src + '/config.h.cmake.in',
  cmake: true,
  vars: { [v]: true for v in present } + {
    ICONV_CONST: '',
    PACKAGE: 'libxml2',
    PACKAGE_BUGREPORT: '',
    PACKAGE_NAME: 'libxml2',
    PACKAGE_STRING: 'libxml2 ' + version,
    PACKAGE_TARNAME: 'libxml2',
    PACKAGE_URL: '',
    PACKAGE_VERSION: version,
    VERSION: version,
  },
});
local features = {
  WITH_TRIO: 0, WITH_THREADS: 0, WITH_THREAD_ALLOC: 0, WITH_TREE: 1, WITH_OUTPUT: 1, WITH_PUSH: 1, WITH_READER: 1,
  WITH_PATTERN: 1, WITH_WRITER: 1, WITH_SAX1: 1, WITH_FTP: 0, WITH_HTTP: 0, WITH_VALID: 1, WITH_HTML: 1, WITH_LEGACY: 0,
  WITH_C14N: 1, WITH_CATALOG: 1, WITH_DOCB: 0, WITH_XPATH: 1, WITH_XPTR: 1, WITH_XINCLUDE: 1, WITH_ICONV: 0, WITH_ICU: 0,
  WITH_ISO8859X: 1, WITH_DEBUG: 1, WITH_MEM_DEBUG: 0, WITH_RUN_DEBUG: 0, WITH_REGEXPS: 1, WITH_SCHEMAS: 1,
  WITH_SCHEMATRON: 1, WITH_MODULES: 0, WITH_ZLIB: 1, WITH_LZMA: 1,
};
local xmlversion = upstream.configureFile({
  name: 'libxml/xmlversion.h',
  template: src + '/include/libxml/xmlversion.h.in',
  vars: features + { VERSION: version, LIBXML_VERSION_NUMBER: 20912, LIBXML_VERSION_EXTRA: '', MODULE_EXTENSION: '' },
});
// The public headers: upstream's include/libxml with the generated xmlversion.h beside them.
local headers = wpm.derivation({
  name: 'libxml2-headers',
  builder: cc.toolchain.installTool,
  args: ['install', src + '/include/libxml', wpm.placeholder('out') + '/libxml',
         xmlversion + '/libxml/xmlversion.h', wpm.placeholder('out') + '/libxml/xmlversion.h'],
}).out;

// xmlIO.c dup()s a descriptor to hand it to gzdopen, which WASI cannot do (posix-compat's dup
// fails, and libxml2 falls back to reading the file as it is).
local flags = { defines: { HAVE_CONFIG_H: true }, includes: [config, src], cflags: posixCompat.cflags };
// Makefile.am's libxml2_la_SOURCES (DOCBparser.c and trio only with their features, off here).
local lib = cc.staticLibrary(flags {
  name: 'xml2',
  srcs: [src + '/' + f + '.c' for f in [
    'SAX', 'entities', 'encoding', 'error', 'parserInternals', 'parser', 'tree', 'hash', 'list', 'xmlIO', 'xmlmemory', 'uri',
    'valid', 'xlink', 'HTMLparser', 'HTMLtree', 'debugXML', 'xpath', 'xpointer', 'xinclude', 'nanohttp', 'nanoftp',
    'catalog', 'globals', 'threads', 'c14n', 'xmlstring', 'buf', 'xmlregexp', 'xmlschemas', 'xmlschemastypes', 'xmlunicode',
    'xmlreader', 'relaxng', 'dict', 'SAX2', 'xmlwriter', 'legacy', 'chvalid', 'pattern', 'xmlsave', 'xmlmodule',
    'schematron', 'xzlib',
  ]],
  hdrs: headers,
  deps: [zlib, xz, posixCompat],
});
local program(name) = cc.executable(flags { name: name, srcs: [src + '/' + name + '.c'], deps: [lib] });
local xmllint = program('xmllint');
local xmlcatalog = program('xmlcatalog');

upstream.package({
  name: 'libxml2',
  version: version,
  source: up.source,
  tarball: up.tarball,
  library: lib,
  programs: [xmllint, xmlcatalog],
  // Makefile.am's `runtests` (make check): the programs that need no data outside the tree.
  checks: {
    testchar: checks.run({ name: 'testchar', program: program('testchar') }),
    testdict: checks.run({ name: 'testdict', program: program('testdict') }),
    testapi: checks.run({ name: 'testapi', program: program('testapi') }),
  },
  local noData = "reads upstream's test/ and result/ directories, which the libxmljs package leaves out of its copy of the tree",
  leftOut: {
    runtest: noData,
    testrecurse: noData,
    runxmlconf: 'runs the W3C XML conformance suite (xmlconf), which is not in the tree',
    'python tests': 'tests of the Python bindings, which are not built',
    'fuzz tests': "fuzz/'s regression tests read seed corpora that the tree does not carry",
  },
})

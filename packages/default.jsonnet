// The package set: `wpm build packages/default.jsonnet` builds every package,
// `wpm build packages/default.jsonnet -A sqlite` one of them.
{
  hello: import 'hello/default.jsonnet',
  'hello-component': import 'hello-component/default.jsonnet',
  'hello-cpp': import 'hello-cpp/default.jsonnet',
  base64: import 'base64/default.jsonnet',
  b64: import 'b64/default.jsonnet',
  crc32: import 'crc32/default.jsonnet',
  sqlite: import 'sqlite/default.jsonnet',
  zlib: import 'zlib/default.jsonnet',
  bzip2: import 'bzip2/default.jsonnet',
  lz4: import 'lz4/default.jsonnet',
  expat: import 'expat/default.jsonnet',
  snappy: import 'snappy/default.jsonnet',
  libyaml: import 'libyaml/default.jsonnet',
  oniguruma: import 'oniguruma/default.jsonnet',
  jq: import 'jq/default.jsonnet',
}

// Python build steps, importable from anywhere as 'python.libsonnet' (like cc.libsonnet):
// python.script({ name, script, inputs, stdin }). See packages/toolchains/python.
import '../toolchains/python/default.libsonnet'

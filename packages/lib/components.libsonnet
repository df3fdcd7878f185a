// WASI 0.2 components from wasip1 modules, importable from anywhere as 'components.libsonnet'
// (like cc.libsonnet): components.componentNew({ name, module, adapters, output }), a
// builtin:component-new step. See packages/toolchains/wasm-tools and docs/components.md.
import '../toolchains/wasm-tools/default.libsonnet'

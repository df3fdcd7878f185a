export { canonicalJson } from './canonical-json.js';
export type { Json } from './canonical-json.js';
export { BUILTIN_BUILDERS, derivationToJson, isBuiltin, isFixedOutput, parseDerivation } from './derivation.js';
export type { Derivation, DerivationOutput } from './derivation.js';
export { derivationPath, hashDerivationModulo, serializeDerivation, withOutputPaths } from './hash-modulo.js';
export { Instantiator, placeholder } from './instantiate.js';
export type { Instantiated } from './instantiate.js';
export { SHARD_MIN_FIELDS, evaluate, splitAttrPath } from './evaluator.js';
export type { EvalArg, EvalIO, EvalRequest, EvalResult, EvaluatorOptions } from './evaluator.js';

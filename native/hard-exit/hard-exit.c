/*
 * hardExit(code): end the process at once with `code`, through _exit(2).
 *
 * process.exit() cannot end a process while a libuv pool thread is busy: on the way out, libuv
 * joins its pool threads, and libjsonnet evaluating an endless loop or a runaway array on one of
 * them never returns. wpm calls this only after an evaluation ran past its limit (glue/eval-limits.ts),
 * once its own exit handlers have run and its message is written.
 */
#include <node_api.h>
#include <unistd.h>

static napi_value hard_exit(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t code = 1;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) == napi_ok && argc == 1) napi_get_value_int32(env, argv[0], &code);
  _exit(code);
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  if (napi_create_function(env, "hardExit", NAPI_AUTO_LENGTH, hard_exit, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "hardExit", fn) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)

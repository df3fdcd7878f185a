/*
 * SHA-256 whose updates run on a libuv pool thread, so a NAR's hash is computed while the main
 * thread writes the same bytes to disk (store/nar/nar-hasher.ts).
 *
 *   create() -> handle
 *   update(handle, bytes) -> Promise<void>   bytes must not change until the promise settles
 *   updateSync(handle, bytes)                 on the calling thread (small chunks: a trip to
 *                                             the pool would cost more than the hashing)
 *   digest(handle) -> Buffer (32 bytes)       once, after the last update has settled
 *
 * One update at a time per handle: a second one while the first runs throws, since the pool
 * could run them out of order. The hash is OpenSSL's, which Node links and exports to addons
 * (the same code node:crypto runs), so the digest is the one the main thread would compute.
 */
#include <node_api.h>
#include <openssl/evp.h>
#include <stdlib.h>

typedef struct {
  EVP_MD_CTX *ctx;
  int busy; /* an update is queued or running */
  int done; /* digest() was called */
} Hash;

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  napi_ref bytes; /* keeps the caller's buffer alive while the pool reads it */
  Hash *hash;
  const unsigned char *data;
  size_t length;
  int ok;
} Update;

static void finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  Hash *h = data;
  EVP_MD_CTX_free(h->ctx);
  free(h);
}

static napi_value create(napi_env env, napi_callback_info info) {
  (void)info;
  Hash *h = calloc(1, sizeof *h);
  if (!h || !(h->ctx = EVP_MD_CTX_new()) || EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1) {
    if (h) EVP_MD_CTX_free(h->ctx);
    free(h);
    napi_throw_error(env, NULL, "sha256-pool: cannot create a SHA-256 context");
    return NULL;
  }
  napi_value handle;
  if (napi_create_external(env, h, finalize, NULL, &handle) != napi_ok) {
    finalize(env, h, NULL);
    return NULL;
  }
  return handle;
}

static Hash *hash_of(napi_env env, napi_value v) {
  void *h = NULL;
  if (napi_get_value_external(env, v, &h) != napi_ok || !h) {
    napi_throw_type_error(env, NULL, "sha256-pool: not a handle");
    return NULL;
  }
  return h;
}

static void execute(napi_env env, void *data) {
  (void)env;
  Update *u = data;
  u->ok = EVP_DigestUpdate(u->hash->ctx, u->data, u->length) == 1;
}

static void complete(napi_env env, napi_status status, void *data) {
  Update *u = data;
  u->hash->busy = 0;
  if (status == napi_ok && u->ok) {
    napi_value undef;
    napi_get_undefined(env, &undef);
    napi_resolve_deferred(env, u->deferred, undef);
  } else {
    napi_value msg, error;
    napi_create_string_utf8(env, "sha256-pool: the update failed", NAPI_AUTO_LENGTH, &msg);
    napi_create_error(env, NULL, msg, &error);
    napi_reject_deferred(env, u->deferred, error);
  }
  napi_delete_reference(env, u->bytes);
  napi_delete_async_work(env, u->work);
  free(u);
}

/* The handle and bytes of update() and updateSync(): NULL (an exception thrown) if they are wrong
 * or the handle cannot take an update now. */
static Hash *update_args(napi_env env, napi_callback_info info, napi_value *bytes_value, void **bytes, size_t *length) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 2) {
    napi_throw_type_error(env, NULL, "sha256-pool: update(handle, bytes)");
    return NULL;
  }
  Hash *h = hash_of(env, argv[0]);
  if (!h) return NULL;
  if (h->busy || h->done) {
    napi_throw_error(env, NULL, h->done ? "sha256-pool: update after digest" : "sha256-pool: update while another runs");
    return NULL;
  }
  napi_typedarray_type type;
  napi_value arraybuffer;
  size_t offset;
  if (napi_get_typedarray_info(env, argv[1], &type, length, bytes, &arraybuffer, &offset) != napi_ok || type != napi_uint8_array) {
    napi_throw_type_error(env, NULL, "sha256-pool: bytes must be a Uint8Array");
    return NULL;
  }
  *bytes_value = argv[1];
  return h;
}

static napi_value update(napi_env env, napi_callback_info info) {
  napi_value bytes_value;
  void *bytes;
  size_t length;
  Hash *h = update_args(env, info, &bytes_value, &bytes, &length);
  if (!h) return NULL;
  Update *u = calloc(1, sizeof *u);
  if (!u) {
    napi_throw_error(env, NULL, "sha256-pool: out of memory");
    return NULL;
  }
  u->hash = h;
  u->data = bytes;
  u->length = length;
  napi_value promise, name;
  napi_create_reference(env, bytes_value, 1, &u->bytes);
  napi_create_promise(env, &u->deferred, &promise);
  napi_create_string_utf8(env, "wpm:sha256", NAPI_AUTO_LENGTH, &name);
  napi_create_async_work(env, NULL, name, execute, complete, u, &u->work);
  h->busy = 1;
  napi_queue_async_work(env, u->work);
  return promise;
}

static napi_value update_sync(napi_env env, napi_callback_info info) {
  napi_value bytes_value;
  void *bytes;
  size_t length;
  Hash *h = update_args(env, info, &bytes_value, &bytes, &length);
  if (!h) return NULL;
  if (EVP_DigestUpdate(h->ctx, bytes, length) != 1) napi_throw_error(env, NULL, "sha256-pool: the update failed");
  return NULL;
}

static napi_value digest(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 1) {
    napi_throw_type_error(env, NULL, "digest(handle)");
    return NULL;
  }
  Hash *h = hash_of(env, argv[0]);
  if (!h) return NULL;
  if (h->busy || h->done) {
    napi_throw_error(env, NULL, h->done ? "sha256-pool: digest twice" : "sha256-pool: digest while an update runs");
    return NULL;
  }
  void *out;
  napi_value buffer;
  unsigned int n = 0;
  if (napi_create_buffer(env, 32, &out, &buffer) != napi_ok) return NULL;
  h->done = 1;
  if (EVP_DigestFinal_ex(h->ctx, out, &n) != 1 || n != 32) {
    napi_throw_error(env, NULL, "sha256-pool: the digest failed");
    return NULL;
  }
  return buffer;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"create", NULL, create, NULL, NULL, NULL, napi_default, NULL},
    {"update", NULL, update, NULL, NULL, NULL, napi_default, NULL},
    {"updateSync", NULL, update_sync, NULL, NULL, NULL, napi_default, NULL},
    {"digest", NULL, digest, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, 4, props) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)

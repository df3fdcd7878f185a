/*
 * syncfs(path) -> Promise<void>: flush the file system holding `path` (Linux syncfs(2)) on a
 * libuv pool thread.
 *
 * Node has no syncfs. Without this module wpm runs coreutils' `sync -f`, and starting a process
 * from a large Node process cost a store batch more main-thread time than the flush itself
 * (store/tree/syncfs.ts). The promise rejects with an Error whose `code` is the errno's name.
 */
#define _GNU_SOURCE
#include <node_api.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  char *path;
  int err; /* 0, or the errno of open or syncfs */
  const char *step;
} Job;

static void execute(napi_env env, void *data) {
  (void)env;
  Job *job = data;
  int fd = open(job->path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    job->err = errno;
    job->step = "open";
    return;
  }
  if (syncfs(fd) != 0) {
    job->err = errno;
    job->step = "syncfs";
  }
  close(fd);
}

static const char *errno_name(int e) {
  switch (e) {
    case ENOENT: return "ENOENT";
    case EACCES: return "EACCES";
    case EIO: return "EIO";
    case ENOSPC: return "ENOSPC";
    case EDQUOT: return "EDQUOT";
    case EBADF: return "EBADF";
    case ENOTDIR: return "ENOTDIR";
    default: return "EUNKNOWN";
  }
}

static void complete(napi_env env, napi_status status, void *data) {
  Job *job = data;
  if (status == napi_ok && job->err == 0) {
    napi_value undef;
    napi_get_undefined(env, &undef);
    napi_resolve_deferred(env, job->deferred, undef);
  } else {
    int e = status == napi_ok ? job->err : ECANCELED;
    char msg[256];
    snprintf(msg, sizeof msg, "%s %s: %s", job->step ? job->step : "syncfs", job->path, strerror(e));
    napi_value code, text, error;
    napi_create_string_utf8(env, errno_name(e), NAPI_AUTO_LENGTH, &code);
    napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &text);
    napi_create_error(env, code, text, &error);
    napi_reject_deferred(env, job->deferred, error);
  }
  napi_delete_async_work(env, job->work);
  free(job->path);
  free(job);
}

static napi_value start(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  size_t len = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 1 ||
      napi_get_value_string_utf8(env, argv[0], NULL, 0, &len) != napi_ok) {
    napi_throw_type_error(env, NULL, "syncfs(path): path must be a string");
    return NULL;
  }
  Job *job = calloc(1, sizeof *job);
  if (!job || !(job->path = malloc(len + 1))) {
    free(job);
    napi_throw_error(env, NULL, "syncfs: out of memory");
    return NULL;
  }
  napi_get_value_string_utf8(env, argv[0], job->path, len + 1, &len);
  napi_value promise, name;
  napi_create_promise(env, &job->deferred, &promise);
  napi_create_string_utf8(env, "wpm:syncfs", NAPI_AUTO_LENGTH, &name);
  napi_create_async_work(env, NULL, name, execute, complete, job, &job->work);
  napi_queue_async_work(env, job->work);
  return promise;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  if (napi_create_function(env, "syncfs", NAPI_AUTO_LENGTH, start, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "syncfs", fn) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)

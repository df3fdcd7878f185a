/* Lua's build configuration for wasm32-wasip1, given to every source as LUA_USER_H (the hook
 * lua.h includes last, before the sources test what is already defined).
 *
 * The package builds Lua as ISO C (no LUA_USE_POSIX: that would bring popen, sigaction, _setjmp
 * and <sys/wait.h>, which WASI lacks). Two of ISO C's answers are wrong or missing here, and
 * these are what LUA_USE_POSIX gives instead, as luaconf.h/lua.c/loslib.c write it:
 *  - lua.c takes standard input for a terminal unless it can ask; it asks isatty, so that
 *    `echo 'print(1)' | lua` runs the script instead of starting the interactive loop;
 *  - os.tmpname uses mkstemp on "/tmp/lua_XXXXXX" (wasi-libc has no tmpnam; posix-compat's
 *    mkstemp makes the file). */
#ifndef LUA_WASI_H
#define LUA_WASI_H
#include <unistd.h>

#define lua_stdin_is_tty() isatty(0)

#define LUA_TMPNAMBUFSIZE 32
#define LUA_TMPNAMTEMPLATE "/tmp/lua_XXXXXX"
#define lua_tmpnam(b, e) { \
        strcpy(b, LUA_TMPNAMTEMPLATE); \
        e = mkstemp(b); \
        if (e != -1) close(e); \
        e = (e == -1); }
#endif

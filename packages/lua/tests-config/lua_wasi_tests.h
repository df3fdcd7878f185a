/* LUA_USER_H of the internal-test build (the makefile's TESTS: -DLUA_USER_H='"ltests.h"'):
 * this package's WASI configuration (lua_wasi.h), then upstream's ltests.h, which turns on
 * Lua's assertions, counts and limits allocations, and adds the T library the test suite uses. */
#include "lua_wasi.h"
#include "ltests.h"

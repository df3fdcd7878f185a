// Upstream tests as build steps. A package's `checks` is an object of derivations, one per test
// as upstream's own harness runs it (a test program, or one command of a test script); each
// runs upstream's test program inside the sandbox and fails the build when the test fails:
//
//   wpm build packages/default.jsonnet -A zlib.checks
//
// A test program is linked with wpm's check runtime (cc.testProgram; packages/tools/check), so
// that its exit status, and its standard output where upstream compares it, decide the step:
//
//   checks.run({ name, program, args, dir, stdin, stdout, status, env })
//     name     the test's name, as upstream calls it
//     program  a cc.executable (linked again with the check runtime) or a test program's .wasm
//     args     its arguments (argv[0] is the program's name)
//     dir      a directory (store path) copied into the working directory first, for tests that
//              read their data by relative names or write beside it
//     stdin    a file given as standard input; stdout: a file the output must equal
//     status   the exit status the test expects (default 0), for a test that a corrupt input
//              is refused
//     keepStdout  true: the step's output is the program's standard output (to feed the next
//              check, as a test script's pipe would)
//
// Tests that WASI cannot run (threads, fork, signals, sockets) are not built: a package lists
// them in its `leftOut`, with the reason, and the package table counts them.
local wpm = import 'wpm.libsonnet';
local cc = import 'cc.libsonnet';

local fields = ['name', 'program', 'args', 'dir', 'stdin', 'stdout', 'status', 'env', 'keepStdout'];

{
  run(c)::
    local unknown = [f for f in std.objectFields(c) if !std.member(fields, f)];
    local what = "checks.run '" + std.get(c, 'name', '?') + "'";
    assert std.length(unknown) == 0 : what + ": unknown field '" + unknown[0] + "' (fields: " + std.join(', ', fields) + ')';
    local program = if std.isString(c.program) then c.program else cc.testProgram(c.program);
    local argv0 = if std.isString(c.program) then 'test' else c.program.programName;
    local opt(field, var) = if std.objectHas(c, field) then { [var]: std.toString(c[field]) } else {};
    wpm.derivation({
      name: 'check-' + c.name,
      builder: program,
      args: [argv0] + std.get(c, 'args', []),
      env: std.get(c, 'env', {})
           + opt('dir', 'WPM_CHECK_DIR')
           + opt('stdin', 'WPM_CHECK_STDIN')
           + opt('stdout', 'WPM_CHECK_STDOUT')
           + opt('status', 'WPM_CHECK_STATUS')
           + (if std.get(c, 'keepStdout', false) then { WPM_CHECK_KEEP: 'stdout' } else {}),
    }),
}

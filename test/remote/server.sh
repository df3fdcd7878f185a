#!/usr/bin/env bash
# A real Remote Execution API cluster on loopback for wpm's tests and benchmarks: BuildGrid's
# server (PyPI) with its CAS, Action Cache, Execution and Bots services, backed by a private
# PostgreSQL (Debian's postgresql package) as BuildGrid's scheduler requires. Workers are wpm's
# Remote Workers API bot (dist/remote/wpm-bot.mjs), started by the caller (test/remote/cluster.ts)
# with the platform property wpm-runner=node that wpm's actions ask for.
#
#   server.sh install            make the BuildGrid virtualenv (cached; prints its directory)
#   server.sh start DIR PORT     start PostgreSQL and BuildGrid with state in DIR; BuildGrid on 127.0.0.1:PORT
#   server.sh stop DIR           stop both
#   server.sh jobs DIR           how many jobs (executions) the scheduler has been given so far
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
CACHE="${WPM_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wpm-test}"
REQS="$HERE/buildgrid-requirements.txt"
VENV="$CACHE/buildgrid-$(sha256sum "$REQS" | cut -c1-12)"

pgbin() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -n "$d" ] || { echo "server.sh: PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 1; }
  echo "$d"
}

# PostgreSQL refuses to run as root: as root, its commands run as the postgres user.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

install() {
  if [ ! -f "$VENV/.complete" ]; then
    mkdir -p "$CACHE"
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQS"
    touch "$VENV/.complete"
  fi
  echo "$VENV"
}

start() {
  local dir="$1" port="$2" pg
  pg=$(pgbin)
  install >/dev/null
  mkdir -p "$dir/pg" "$dir/cas"
  [ "$(id -u)" -eq 0 ] && chown postgres "$dir/pg" && chmod 755 "$dir"
  local pgport=$((port + 1))
  # (The postgres user must be able to reach DIR: every directory above it needs o+x.)
  as_pg "$pg/initdb" -D "$dir/pg/data" -A trust -U bgd --no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
  as_pg "$pg/pg_ctl" -D "$dir/pg/data" -l "$dir/pg/log" -w -t 60 \
    -o "-p $pgport -k $dir/pg -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off" start >/dev/null
  as_pg "$pg/createdb" -h 127.0.0.1 -p "$pgport" -U bgd bgd
  local db="postgresql+psycopg2://bgd@127.0.0.1:$pgport/bgd"
  "$VENV/bin/bgd" migrate apply "$db" >"$dir/migrate.log" 2>&1
  sed -e "s#@PORT@#$port#" -e "s#@DB@#$db#" -e "s#@CAS@#$dir/cas#" "$HERE/buildgrid.yml" >"$dir/bgd.yml"
  "$VENV/bin/bgd" server start "$dir/bgd.yml" >"$dir/server.log" 2>&1 &
  echo $! >"$dir/bgd.pid"
  for _ in $(seq 1 120); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "grpc://127.0.0.1:$port"; return 0; fi
    kill -0 "$(cat "$dir/bgd.pid")" 2>/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    sleep 0.5
  done
  echo "server.sh: BuildGrid did not listen on $port" >&2
  exit 1
}

stop() {
  local dir="$1"
  if [ -f "$dir/bgd.pid" ]; then kill "$(cat "$dir/bgd.pid")" 2>/dev/null || true; rm -f "$dir/bgd.pid"; fi
  if [ -d "$dir/pg/data" ]; then as_pg "$(pgbin)/pg_ctl" -D "$dir/pg/data" -m immediate stop >/dev/null 2>&1 || true; fi
}

jobs() {
  local dir="$1" pgport
  pgport=$(sed -n 's#.*@127.0.0.1:\([0-9]*\)/bgd.*#\1#p' "$dir/bgd.yml" | head -1)
  as_pg "$(pgbin)/psql" -h 127.0.0.1 -p "$pgport" -U bgd -tAc 'select count(*) from jobs' bgd
}

cmd="${1:-}"
shift || true
case "$cmd" in
  install) install ;;
  start) start "$@" ;;
  stop) stop "$@" ;;
  jobs) jobs "$@" ;;
  *) echo "usage: server.sh install | start DIR PORT | stop DIR | jobs DIR" >&2; exit 2 ;;
esac

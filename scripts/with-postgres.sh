#!/usr/bin/env bash
# Runs a command against a throw-away PostgreSQL cluster on loopback, and always stops it.
# PostgreSQL refuses to run as root, so the cluster belongs to the `postgres` user.
set -euo pipefail
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
ROOT=$(mktemp -d /tmp/beian-pg.XXXXXX)
PORT=${BEIAN_PG_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
RUN_AS=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres:postgres "$ROOT"
  RUN_AS=(runuser -u postgres --)
fi
cleanup() {
  "${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$ROOT/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$ROOT"
}
trap cleanup EXIT
"${RUN_AS[@]}" "$PGBIN/initdb" -D "$ROOT/data" -U beian --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$ROOT/data" -l "$ROOT/log" -w \
  -o "-k $ROOT -p $PORT -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c synchronous_commit=off" start >/dev/null
export DATABASE_URL="postgres://beian@127.0.0.1:$PORT/beian"
"${RUN_AS[@]}" "$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U beian beian
echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT"
DJANGO_SETTINGS_MODULE=config.settings.test "$@"

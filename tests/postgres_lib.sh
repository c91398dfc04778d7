# A private PostgreSQL cluster for integration tests, from Debian's postgresql package:
# initdb in a temporary directory (as the postgres user when root: initdb refuses root),
# listening on 127.0.0.1 and a socket in that directory only, stopped and removed at exit.
#   start_postgres      sets PG_BIN, PG_DIR, PG_PORT, PG_ADMIN (a URL to the postgres db) and
#                       an EXIT trap that runs stop_postgres (a script with more to stop sets
#                       its own trap and calls stop_postgres in it); exits 0 with "skip: ..."
#                       when the server binaries are absent
#   stop_postgres       stops the cluster at once and removes its directory
#   pg_ctl_as ARGS...   runs pg_ctl on the cluster as its owner
#   restart_postgres_immediately   pg_ctl restart -m immediate (a crash, then recovery)

pg_ctl_as() { (cd / && "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" "$@"); }

start_postgres() {
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [[ -z "$PG_BIN" || ! -x "$PG_BIN/initdb" ]]; then
    echo "skip: PostgreSQL's server binaries are not installed (Debian package postgresql)"
    exit 0
  fi
  PG_DIR=$(mktemp -d /tmp/gaggle-it-pg-XXXXXX)
  PG_AS=()
  if [[ $(id -u) -eq 0 ]]; then
    chown postgres "$PG_DIR"
    PG_AS=(runuser -u postgres --)
  fi
  (cd / && "${PG_AS[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U gaggle --auth=trust -E UTF8 --no-locale --no-sync) \
    > "$PG_DIR.initdb.log"
  PG_PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  trap stop_postgres EXIT
  pg_ctl_as -l "$PG_DIR/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -c unix_socket_directories=$PG_DIR -c fsync=off" start > /dev/null
  PG_ADMIN="postgresql://gaggle@127.0.0.1:$PG_PORT/postgres"
}

# Never fails (it runs in EXIT traps, under set -e: a failing command there would become
# the script's exit status).
stop_postgres() {
  pg_ctl_as -m immediate -w stop > /dev/null 2>&1 || true
  rm -rf "$PG_DIR" "$PG_DIR.initdb.log" || true
}

restart_postgres_immediately() { pg_ctl_as -m immediate -w -t 60 restart > /dev/null; }

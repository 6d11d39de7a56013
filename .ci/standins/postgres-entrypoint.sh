#!/bin/sh
# Entrypoint of the postgres:* stand-in (.ci/standins/postgres.Dockerfile). Like the official
# image's: on the first start it creates the cluster in $PGDATA with superuser $POSTGRES_USER
# (default postgres), sets $POSTGRES_PASSWORD when given, creates database $POSTGRES_DB (default
# the user's name), then runs the server as the postgres account. Authentication is
# $POSTGRES_HOST_AUTH_METHOD (default trust here, where the official image asks for a password:
# the stand-in only ever listens on loopback). /docker-entrypoint-initdb.d is not run.
set -eu

if [ "${1#-}" != "$1" ]; then
  set -- postgres "$@"
fi
if [ "$1" != postgres ]; then
  exec "$@"
fi

if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA"
  chown postgres:postgres "$PGDATA"
  chmod 700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

user="${POSTGRES_USER:-postgres}"
db="${POSTGRES_DB:-$user}"
auth="${POSTGRES_HOST_AUTH_METHOD:-trust}"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  pwfile=""
  if [ -n "${POSTGRES_PASSWORD:-}" ]; then
    pwfile="$(mktemp)"
    printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  fi
  initdb --username="$user" ${pwfile:+--pwfile="$pwfile"} --auth-local=trust \
    --auth-host="$auth" -D "$PGDATA" >/dev/null
  [ -z "$pwfile" ] || rm -f "$pwfile"
  {
    echo "listen_addresses = 'localhost'"
    echo "unix_socket_directories = '/var/run/postgresql'"
  } >>"$PGDATA/postgresql.conf"
  if [ "$db" != postgres ]; then
    pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
    psql -v ON_ERROR_STOP=1 --username="$user" --dbname=postgres -q \
      -c "CREATE DATABASE \"$db\"" >/dev/null
    pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
  fi
  echo "postgres stand-in: cluster created (user $user, database $db, host auth $auth)"
fi

exec "$@" -D "$PGDATA"

# Sourced by .ci/run: start a throw-away PostgreSQL on 127.0.0.1 and export DONDOC_TEST_POSTGRES_URL.
# Installs Debian's server when it is missing; stops the server when the calling shell exits.
start_postgres() {
  local bin port=54329 dir
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$bin" ]; then
    echo "installing PostgreSQL …" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) || return 1
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  # On the RAM disk when it has room (2 GB): a test database is created for every test, which on a
  # busy disk can take a second each; in RAM it takes a few hundredths.
  local parent=/tmp
  if [ -d /dev/shm ] && [ "$(df -Pk /dev/shm 2>/dev/null | awk 'NR==2 {print $4}')" -gt 2097152 ] 2>/dev/null; then
    parent=/dev/shm
  fi
  dir=$(mktemp -d "$parent/dondoc-pg.XXXXXX")
  chown postgres "$dir"
  runuser -u postgres -- "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 >/dev/null || return 1
  runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null || return 1
  export DONDOC_TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:$port/postgres"
  trap "runuser -u postgres -- '$bin/pg_ctl' -D '$dir/data' -m fast stop >/dev/null 2>&1; rm -rf '$dir'" EXIT
}

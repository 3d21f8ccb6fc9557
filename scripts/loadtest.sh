#!/usr/bin/env bash
# A load test from scratch: a fresh database (SQLite file or a new PostgreSQL database), the
# demo bank and blueprint, N applicant accounts, INSTANCES release servers on it, then the load
# generator against all of them. Prints the load generator's report, each server's peak memory
# (VmHWM) and the figures of its /metrics.
#
#   scripts/loadtest.sh sqlite 10000 1 --duration 120s --ramp 120s
#   scripts/loadtest.sh postgres 10000 2 --duration 120s --ramp 120s
#
# Everything after the third argument goes to `loadgen`. PostgreSQL: QABILET_LOAD_PG (default
# postgres://postgres@127.0.0.1:5432) must allow CREATE DATABASE.
set -euo pipefail
db=${1:?sqlite or postgres}
n=${2:?number of applicants}
instances=${3:-1}
shift 3 || shift $#
target=${CARGO_TARGET_DIR:-$(cd "$(dirname "$0")/.." && pwd)/target}
cargo build --quiet --release -p server --bin qabilet
cargo build --quiet --release -p loadgen --bin loadgen
bin=$target/release/qabilet
loadgen=$target/release/loadgen
work=$(mktemp -d)
pg=${QABILET_LOAD_PG:-postgres://postgres@127.0.0.1:5432}
pgdb=""
case $db in
  sqlite) url="sqlite:$work/qabilet.db" ;;
  postgres)
    pgdb="qabilet_load_$$"
    psql "$pg/postgres" -qc "CREATE DATABASE $pgdb" >/dev/null
    url="$pg/$pgdb" ;;
  *) echo "sqlite or postgres, not $db" >&2; exit 2 ;;
esac
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -n "$pgdb" ]; then psql "$pg/postgres" -qc "DROP DATABASE IF EXISTS $pgdb WITH (FORCE)" >/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
export DATABASE_URL=$url QABILET_JWT_SECRET_FILE=$work/jwt-secret QABILET_LOG=${QABILET_LOG:-warn}
"$bin" demo >/dev/null
started=$(date +%s%N)
echo load-password-1 | "$bin" user add-many --role applicant --prefix load --count "$n" --password-stdin --sitting demo-open >/dev/null
echo "accounts: $n in $(( ($(date +%s%N) - started) / 1000000 )) ms"
bases=()
for i in $(seq 1 "$instances"); do
  QABILET_ADDR=127.0.0.1:0 "$bin" serve > "$work/server$i.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do
    if grep -q "listening on" "$work/server$i.log"; then break; fi
    sleep 0.1
  done
  bases+=("$(grep -o 'http://[0-9.:]*' "$work/server$i.log" | head -1)")
done
echo "servers: ${bases[*]} ($db)"
IFS=, ; base_list="${bases[*]}"; unset IFS
"$loadgen" --base "$base_list" --applicants "$n" "$@"
for i in "${!pids[@]}"; do
  p=${pids[$i]}
  echo "server $((i + 1)): peak RSS $(awk '/VmHWM/ {print $2 / 1024 " MB"}' "/proc/$p/status"), now $(awk '/VmRSS/ {print $2 / 1024 " MB"}' "/proc/$p/status")"
  curl -s "${bases[$i]}/metrics" | grep -E '^qabilet_(saves_total|saves_refused_total|logins_total|active_attempts|sweep_leader|db_pool_connections) '
done

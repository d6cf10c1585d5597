#!/usr/bin/env bash
# Database-backed endpoint on both engines: GET /api/v1/accounts/:id served by
# Vantage on SQLite and on PostgreSQL, and by nginx as a static file of the
# same bytes, in the same run, with wrk.
#
#   bench/db.sh    # CONNECTIONS=64 DURATION=10 ROUNDS=3; starts its own PostgreSQL
#
# PostgreSQL, Vantage, nginx and wrk all share this machine's cores.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -z "${VANTAGE_TEST_POSTGRES_URL:-}" ]]; then exec scripts/with-postgres "$0" "$@"; fi
source bench/lib.sh

ensure_tools
work=$(mktemp -d)
trap bench_cleanup EXIT

pg_url=${VANTAGE_TEST_POSTGRES_URL%/*}/vantage_bench
psql "$VANTAGE_TEST_POSTGRES_URL" -qc "CREATE DATABASE vantage_bench" >/dev/null

for engine in sqlite postgres; do
  db=(--data "$work/$engine"); [[ $engine == postgres ]] && db+=(--db "$pg_url")
  printf 'a long enough password\n' | "$VANTAGE_BIN" admin create-account "${db[@]}" \
    --username archive --email archive@example.org --role user --password-stdin >/dev/null
done
start_vantage sqlite 18183 --data "$work/sqlite"
start_vantage postgres 18184 --data "$work/postgres" --db "$pg_url"

id=$(curl -sf "http://127.0.0.1:18183/api/v1/accounts/lookup?acct=archive" | sed -E 's/^\{"id":"([0-9]+)".*/\1/')
pg_id=$(curl -sf "http://127.0.0.1:18184/api/v1/accounts/lookup?acct=archive" | sed -E 's/^\{"id":"([0-9]+)".*/\1/')
mkdir -p "$work/root/api/v1/accounts"
curl -sf "http://127.0.0.1:18183/api/v1/accounts/$id" -o "$work/root/api/v1/accounts/$id"
start_nginx 18185

echo "bench: GET /api/v1/accounts/:id ($(wc -c <"$work/root/api/v1/accounts/$id") bytes), wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s, $ROUNDS rounds, $(nproc) cores shared by PostgreSQL, Vantage, nginx and wrk"
s_all=(); p_all=(); n_all=(); sp_all=(); pp_all=(); np_all=()
for round in $(seq "$ROUNDS"); do
  read -r s sp < <(measure "http://127.0.0.1:18183/api/v1/accounts/$id")
  read -r p pp < <(measure "http://127.0.0.1:18184/api/v1/accounts/$pg_id")
  read -r n np < <(measure "http://127.0.0.1:18185/api/v1/accounts/$id")
  printf "round %d: sqlite %7.0f req/s p99 %6s ms | postgres %7.0f req/s p99 %6s ms | nginx %7.0f req/s p99 %6s ms | postgres/sqlite %s, sqlite/nginx %s\n" \
    "$round" "$s" "$sp" "$p" "$pp" "$n" "$np" "$(ratio "$p" "$s")" "$(ratio "$s" "$n")"
  s_all+=("$s"); p_all+=("$p"); n_all+=("$n"); sp_all+=("$sp"); pp_all+=("$pp"); np_all+=("$np")
done
sm=$(median "${s_all[@]}"); pm=$(median "${p_all[@]}"); nm=$(median "${n_all[@]}")
printf "median: sqlite %.0f req/s (p99 %s ms), postgres %.0f req/s (p99 %s ms), nginx %.0f req/s (p99 %s ms); postgres/sqlite %s, sqlite/nginx %s, postgres/nginx %s\n" \
  "$sm" "$(median "${sp_all[@]}")" "$pm" "$(median "${pp_all[@]}")" "$nm" "$(median "${np_all[@]}")" \
  "$(ratio "$pm" "$sm")" "$(ratio "$sm" "$nm")" "$(ratio "$pm" "$nm")"

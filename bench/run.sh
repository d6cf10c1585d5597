#!/usr/bin/env bash
# HTTP benchmark: Vantage's GET /api/v1/instance against nginx serving the
# identical bytes as a static file, in the same run, with wrk.
#
#   bench/run.sh    # CONNECTIONS=64 DURATION=10 ROUNDS=3 THREADS=2 VANTAGE_BIN=build/vantage
#
# Prints one line per round and the medians, with the ratio of requests per
# second and both p99 latencies.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
PATH_UNDER_TEST=${PATH_UNDER_TEST:-/api/v1/instance}

ensure_tools
work=$(mktemp -d)
trap bench_cleanup EXIT

start_vantage vantage 18181 --data "$work/data"
# The exact bytes Vantage serves, as a static file for nginx.
mkdir -p "$work/root$(dirname "$PATH_UNDER_TEST")"
curl -sf "http://127.0.0.1:18181$PATH_UNDER_TEST" -o "$work/root$PATH_UNDER_TEST"
start_nginx 18182

echo "bench: $PATH_UNDER_TEST ($(wc -c <"$work/root$PATH_UNDER_TEST") bytes), wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s, $ROUNDS rounds, $(nproc) cores"
v_all=(); n_all=(); vp_all=(); np_all=()
for round in $(seq "$ROUNDS"); do
  read -r v vp < <(measure "http://127.0.0.1:18181$PATH_UNDER_TEST")
  read -r n np < <(measure "http://127.0.0.1:18182$PATH_UNDER_TEST")
  printf "round %d: vantage %8.0f req/s p99 %6s ms | nginx %8.0f req/s p99 %6s ms | ratio %s\n" \
    "$round" "$v" "$vp" "$n" "$np" "$(ratio "$v" "$n")"
  v_all+=("$v"); n_all+=("$n"); vp_all+=("$vp"); np_all+=("$np")
done
vm=$(median "${v_all[@]}"); nm=$(median "${n_all[@]}")
printf "median: vantage %.0f req/s (p99 %s ms), nginx %.0f req/s (p99 %s ms), ratio %s\n" \
  "$vm" "$(median "${vp_all[@]}")" "$nm" "$(median "${np_all[@]}")" "$(ratio "$vm" "$nm")"

#!/usr/bin/env bash
# Instructions per request of the feed benchmark's endpoints, counted by
# callgrind: unlike requests per second, the count does not move with
# whatever else the machine is doing, so two builds can be compared on a busy
# machine. Each endpoint is requested a few times to warm the caches, then
# REQUESTS times one after another while callgrind counts.
#
#   bench/feed/instructions.sh                     # the 1M-post network
#   NETWORK=10000 REQUESTS=50 VANTAGE_BIN=build/vantage bench/feed/instructions.sh
#   KEEP=1 ...                                     # keep callgrind.<name>.out for callgrind_annotate
#
# Uses the networks bench/feed/run.sh seeds and caches (run that first).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=1
source bench/lib.sh

NETWORK=${NETWORK:-1000000}
REQUESTS=${REQUESTS:-100}
SEED_CACHE=${SEED_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vantage/bench-feed}
PORT=18193
command -v valgrind >/dev/null || { echo "bench: needs valgrind (apt-get install valgrind)"; exit 2; }

digest=$(cat src/store/migrations/*/*.sql | sha256sum | cut -c1-12)
data="$SEED_CACHE/posts$NETWORK-$digest"
[[ -f $data/complete ]] || { echo "bench: no seeded $NETWORK-post network in $SEED_CACHE; run bench/feed/run.sh first"; exit 2; }

work=$(mktemp -d)
trap bench_cleanup EXIT

# Sign-ins and targets from a plain server, so callgrind sees only requests.
start_vantage plain "$PORT" --data "$data" --sign-in-limit-ip 0 --sign-in-limit-account 0
mkdir -p "$work/root"
node bench/feed/prepare.mjs "http://127.0.0.1:$PORT" vantage-seed "$work/root" >"$work/targets"
kill "${bench_pids[-1]}"; wait "${bench_pids[-1]}" 2>/dev/null || true
unset 'bench_pids[-1]'

out="$work/callgrind.out"
valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$out" \
  "$VANTAGE_BIN" serve --listen 127.0.0.1:"$PORT" --threads 2 --access-log off --data "$data" >"$work/vg.log" 2>&1 &
bench_pids+=($!)
for _ in $(seq 600); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.5; done

echo "bench: $NETWORK-post network, $REQUESTS sequential requests per endpoint, $(git rev-parse --short HEAD)"
while read -r name path token bytes; do
  [[ $name == "#" ]] && continue
  get() { curl -sf -o /dev/null -H "Authorization: Bearer $token" "http://127.0.0.1:$PORT$path"; }
  callgrind_control -i on "${bench_pids[-1]}" >/dev/null 2>&1
  for _ in 1 2 3 4 5; do get; done
  callgrind_control -z "${bench_pids[-1]}" >/dev/null 2>&1
  for _ in $(seq "$REQUESTS"); do get; done
  callgrind_control -d "$name" "${bench_pids[-1]}" >/dev/null 2>&1
  callgrind_control -i off "${bench_pids[-1]}" >/dev/null 2>&1
  sleep 1
  dump=$(ls -t "$out".* | head -1)
  total=$(callgrind_annotate "$dump" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
  printf "%-17s %7s bytes  %9d instructions per request\n" "$name" "$bytes" $((total / REQUESTS))
  [[ -n ${KEEP:-} ]] && cp "$dump" "callgrind.$name.out"
done <"$work/targets"

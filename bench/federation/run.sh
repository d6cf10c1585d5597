#!/usr/bin/env bash
# Federation benchmark (issue 16): one post by an official account delivered
# to 10,000 remote followers on 1,000 hosts, and signed Likes received per
# second, against a loopback receiver and sender on this machine.
#
#   bench/federation/run.sh                     # SQLite
#   ENGINE=postgres bench/federation/run.sh     # PostgreSQL 15 via scripts/with-postgres
#   FOLLOWERS=10000 HOSTS=1000 ACTORS=2000 POSTS=5 LIKES=10000 CONCURRENCY=48 PHASES="outbound inbound"
#   PHASES=following AUTHORS=50 RATE=20 SECONDS=30 PHOTOS=2 PHOTO_SIZE=1600x1200
#   KEY_FETCH=per-host  (each simulated host fetches the signer's key itself)
#   VANTAGE_BIN=build/vantage VANTAGE_ARGS="--federation-delivery-threads 8 --federation-per-host 4"
#   PROFILE=/tmp/fed.perf PERF_RECORD_ARGS="-F 499 --call-graph dwarf,16384"  (perf record of the
#     server over each timed part; the recording's disk writes slow the server's fsyncs)
#
# What it does:
#  1. Makes a fresh data directory with two local accounts
#     (`vantage admin create-account`): `announcements`, the official account
#     whose post is delivered, and `gallery`, whose posts are liked.
#  2. Seeds the remote side with SQL while no server runs (seed.mjs):
#     FOLLOWERS remote accounts on HOSTS hosts (127.0.0.1:20000..) following
#     announcements, each host with a shared inbox; ACTORS remote accounts
#     with real, distinct RSA-2048 keys (made once by keys.mjs and kept in
#     $KEY_CACHE) for the inbound Likes.
#  3. Starts `vantage serve --federation-allow-private` (loopback peers).
#  4. Outbound (outbound.mjs): HOSTS shared inboxes on one node process, each
#     verifying every delivery's signature, Digest and Date; announcements
#     posts a photo; prints the time from the POST's answer until every host
#     has the post, p50/p99 arrivals, failures, and the server's CPU per
#     delivery (from /proc/PID/stat, its idle use subtracted).
#  5. Inbound (inbound.mjs): gallery posts POSTS photos; LIKES Likes, each
#     pair (actor, post) once, all signed before the clock starts, go to
#     /inbox on CONCURRENCY keep-alive connections; prints Likes/s, latency,
#     non-202 answers and whether the posts' favourites_count adds up.
#  6. Following (following.mjs, issue 17; PHASES="following"): gallery
#     follows the first AUTHORS signing actors (seeded); they send RATE
#     Creates a second with PHOTOS photos each, served by a loopback photo
#     server; prints the p50/p99 time from receipt until the post is in
#     gallery's home timeline with its photos processed, and the server's CPU
#     per remote photo against a local upload of the same image.
#  7. Prints what the server logged at warn or error, and the machine's load.
#
# Targets (docs/benchmarks.md, "Federation"): every host has the post within
# 10 s; >= 1,000 signed Likes verified and stored per second; followed
# accounts' 2-photo posts at 20/s in the home timeline, photos processed,
# within 3 s (p99, eager media). Vantage, the
# receiver and the sender share the machine's cores.
set -euo pipefail
cd "$(dirname "$0")/../.."

ENGINE=${ENGINE:-sqlite}
if [[ $ENGINE == postgres && -z ${VANTAGE_TEST_POSTGRES_URL:-} ]]; then exec scripts/with-postgres "$0" "$@"; fi
source bench/lib.sh

FOLLOWERS=${FOLLOWERS:-10000}
HOSTS=${HOSTS:-1000}
ACTORS=${ACTORS:-2000}
ACTOR_HOSTS=${ACTOR_HOSTS:-200}
POSTS=${POSTS:-5}
LIKES=${LIKES:-10000}
CONCURRENCY=${CONCURRENCY:-48}
PHASES=${PHASES:-"outbound inbound"}
PORT=${PORT:-18301}
RECEIVER_BASE=${RECEIVER_BASE:-20000}
ACTOR_BASE=${ACTOR_BASE:-$((RECEIVER_BASE + HOSTS + 500))}
FEED_PULL_FOLLOWERS=${FEED_PULL_FOLLOWERS:-10000}
KEY_CACHE=${KEY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vantage/bench-federation}
VANTAGE_ARGS=${VANTAGE_ARGS:-}
export HOSTS FOLLOWERS RECEIVER_BASE ACTORS ACTOR_HOSTS ACTOR_BASE POSTS LIKES CONCURRENCY KEY_FETCH=${KEY_FETCH:-shared}
export AUTHORS=${AUTHORS:-50}

# The receiver holds a listening socket per host, plus the connections.
descriptors=$((HOSTS + CONCURRENCY + 1000))
(($(ulimit -n) >= descriptors)) || ulimit -n "$descriptors" 2>/dev/null || ulimit -n "$(ulimit -Hn)"

work=$(mktemp -d)
# A copy of the binary: a rebuild during the run must not change the server
# under test (perf also finds its symbols by this copy's build id).
binary="$VANTAGE_BIN, built $(date -r "$VANTAGE_BIN" '+%F %T')"
cp "$VANTAGE_BIN" "$work/vantage-bin"
VANTAGE_BIN=$work/vantage-bin
cleanup() {
  local status=$?
  if ((status != 0)) && [[ -f $work/vantage.out ]]; then
    echo "bench: failed; the server's last lines:" >&2
    tail -20 "$work/vantage.out" >&2
  fi
  bench_cleanup
}
trap cleanup EXIT

db=(--data "$work/data")
if [[ $ENGINE == postgres ]]; then
  pg_url=${VANTAGE_TEST_POSTGRES_URL%/*}/vantage_federation_bench
  psql "$VANTAGE_TEST_POSTGRES_URL" -qc "CREATE DATABASE vantage_federation_bench" >/dev/null
  db+=(--db "$pg_url")
  run_sql() { psql "$pg_url" -q -v ON_ERROR_STOP=1 >/dev/null; }
  query() { psql "$pg_url" -At -c "$1"; }
else
  run_sql() { sqlite3 -bail "$work/data/vantage.db" >/dev/null; }
  query() { sqlite3 "$work/data/vantage.db" "$1"; }
fi

password=bench-federation-password
for name in announcements gallery; do
  "$VANTAGE_BIN" admin create-account "${db[@]}" --username "$name" --email "$name@example.org" \
    --password-stdin <<<"$password" >/dev/null
done
official_id=$(query "SELECT id FROM accounts WHERE username = 'announcements'")
reader_id=$(query "SELECT id FROM accounts WHERE username = 'gallery'")

mkdir -p "$KEY_CACHE"
keys=$KEY_CACHE/rsa2048.jsonl
node bench/federation/keys.mjs "$((ACTORS > 0 ? ACTORS : 1))" "$keys"

seed_started=$(date +%s.%N)
OFFICIAL_ID=$official_id READER_ID=$reader_id KEYS_FILE=$keys FEED_PULL_FOLLOWERS=$FEED_PULL_FOLLOWERS \
  node bench/federation/seed.mjs >"$work/seed.sql"
run_sql <"$work/seed.sql"
echo "bench: seeded $FOLLOWERS followers on $HOSTS hosts and $ACTORS signing actors in" \
  "$(awk -v a="$seed_started" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}') s ($ENGINE)"

# shellcheck disable=SC2086  # VANTAGE_ARGS is a list of flags
start_vantage vantage "$PORT" "${db[@]}" --federation-allow-private \
  --feed-pull-followers "$FEED_PULL_FOLLOWERS" --sign-in-limit-ip 0 $VANTAGE_ARGS
pid=${bench_pids[-1]}
url=http://127.0.0.1:$PORT

cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
echo "bench: $binary (tree at $(git rev-parse --short HEAD 2>/dev/null || echo '?')), $ENGINE, $(nproc) cores ($cpu), load average $(cut -d' ' -f1-3 /proc/loadavg)"
# This run's PostgreSQL (its postmaster and backends) shares the cores: the
# node scripts print its CPU over the timed part too (DB_PIDS).
if [[ $ENGINE == postgres ]]; then
  postmaster=$(head -1 "$VANTAGE_TEST_PGDATA/postmaster.pid")
fi

status=0
for phase in $PHASES; do
  if [[ $ENGINE == postgres ]]; then DB_PIDS="$postmaster $(pgrep -P "$postmaster" | tr '\n' ' ')"; export DB_PIDS; fi
  case $phase in
    outbound)
      node bench/federation/outbound.mjs "$url" "$pid" announcements "$password" || status=1
      echo "bench: deliveries left in the queue: $(query "SELECT COUNT(*) FROM deliveries")"
      ;;
    inbound)
      node bench/federation/inbound.mjs "$url" "$pid" gallery "$password" "$keys" || status=1
      ;;
    following)
      node bench/federation/following.mjs "$url" "$pid" gallery "$password" "$keys" || status=1
      ;;
    *) echo "bench: unknown phase $phase" >&2; exit 2 ;;
  esac
  echo "bench: load average $(cut -d' ' -f1-3 /proc/loadavg)"
done

logged=$(grep -E '\[(warning|error|critical)\]' "$work/vantage.out" || true)
if [[ -n $logged ]]; then
  echo "bench: the server logged $(wc -l <<<"$logged") warnings or errors; the first:"
  head -10 <<<"$logged"
else
  echo "bench: the server logged no warnings or errors"
fi
exit "$status"

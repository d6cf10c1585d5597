#!/usr/bin/env bash
# Live Q&A under load (issue 8, part 5): N Server-Sent Events subscribers of
# one Q&A session's public stream on one server, on loopback, while an answer
# is posted every second for a minute and other API traffic runs.
#
#   bench/live/run.sh                         # 10,000 subscribers
#   SUBSCRIBERS=1000 bench/live/run.sh
#   ANSWERS=60 INTERVAL_MS=1000 RAMP=1000 OTHER_RATE=100 BUILD=build-live
#
# Starts a Release `vantage serve` (BUILD/vantage, built with live_bench if
# missing) on a fresh SQLite data directory with the default heartbeat,
# prepares an organisation, its staff, an open session and ANSWERS approved
# questions (bench/live/drive.mjs setup), records the server's RSS (VmRSS),
# opens the subscribers at RAMP per second (BUILD/live_bench), records the RSS
# again once all are connected, then posts the answers as the organisation
# while drive.mjs sends OTHER_RATE requests per second of other API traffic,
# and prints a summary.
#
# Targets (docs/benchmarks.md, "Live Q&A: 10,000 subscribers"): every
# subscriber receives every answer; p99 delivery <= 1 s; server RSS growth <=
# 300 MB for the connections; no errors on the other traffic. The subscribers,
# the poster and the other traffic share the machine with the server.
set -euo pipefail
cd "$(dirname "$0")/../.."

SUBSCRIBERS=${SUBSCRIBERS:-10000}
ANSWERS=${ANSWERS:-60}
INTERVAL_MS=${INTERVAL_MS:-1000}
RAMP=${RAMP:-1000}
OTHER_RATE=${OTHER_RATE:-100}
BUILD=${BUILD:-build-live}
PORT=${PORT:-18291}

[[ -f "$BUILD/build.ninja" ]] || cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
ninja -C "$BUILD" -j2 vantage live_bench >/dev/null
vantage=$BUILD/vantage

# The server and the subscribers each hold one descriptor per connection.
need=$((SUBSCRIBERS + 1000))
if (($(ulimit -n) < need)); then
  ulimit -n "$need" 2>/dev/null || ulimit -n "$(ulimit -Hn)"
fi
if (($(ulimit -n) < need)); then
  echo "bench: $SUBSCRIBERS subscribers need $need descriptors; the hard limit is $(ulimit -Hn)" >&2
  exit 1
fi

work=$(mktemp -d)
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# CPU seconds (user + system) a process has used so far.
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$1/stat"; }
rss_mb() { awk '/^VmRSS:/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }

"$vantage" serve --data "$work/data" --listen "127.0.0.1:$PORT" --access-log off \
  --max-connections $((SUBSCRIBERS + 500)) --registration-limit-ip 0 --sign-in-limit-ip 0 \
  --question-limit-account 0 --question-limit-ip 0 >"$work/server.out" 2>&1 &
server=$!
pids+=("$server")
for _ in $(seq 150); do grep -q "listening on" "$work/server.out" 2>/dev/null && break; sleep 0.1; done
grep -q "listening on" "$work/server.out" || { echo "bench: the server did not start:"; cat "$work/server.out"; exit 1; }
url=http://127.0.0.1:$PORT

admin_password=bench-live-admin-pw1
"$vantage" admin create-account --data "$work/data" --username live_admin --email live_admin@example.org \
  --role admin --password-stdin <<<"$admin_password" >/dev/null
node bench/live/drive.mjs setup "$url" live_admin "$admin_password" "$ANSWERS" >"$work/state.json"
session=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).session)' "$work/state.json")
stream=/api/vantage/v1/qa/$session/stream

sleep 1
rss_before=$(rss_mb "$server")
load_before=$(cut -d' ' -f1 /proc/loadavg)
echo "bench: server RSS before the subscribers: $rss_before MB; opening $SUBSCRIBERS at $RAMP/s" >&2

mkfifo "$work/generator.out"
"$BUILD/live_bench" --port "$PORT" --path "$stream" --connections "$SUBSCRIBERS" --rate "$RAMP" \
  --answers "$ANSWERS" >"$work/generator.out" 2>"$work/generator.err" &
generator=$!
pids+=("$generator")
exec 3<"$work/generator.out"
if ! read -r -t $((SUBSCRIBERS / RAMP + 60)) ready <&3; then
  echo "bench: the subscribers did not all connect:" >&2
  tail -5 "$work/generator.err" >&2
  exit 1
fi
echo "bench: $ready" >&2
sleep 2  # let the last connections settle before measuring
rss_connected=$(rss_mb "$server")
streams_open=$(curl -s "$url/metrics" | awk '/^vantage_event_streams_open / {print $2}')
echo "bench: server RSS with the subscribers connected: $rss_connected MB ($streams_open streams open)" >&2

server_cpu_before=$(cpu_s "$server")
node bench/live/drive.mjs traffic "$url" "$work/state.json" "$OTHER_RATE" >"$work/traffic.out" &
traffic=$!
pids+=("$traffic")
node bench/live/drive.mjs answers "$url" "$work/state.json" "$ANSWERS" "$INTERVAL_MS" >"$work/answers.out"
rss_end=$(rss_mb "$server")
server_cpu=$(awk -v a="$server_cpu_before" -v b="$(cpu_s "$server")" 'BEGIN {printf "%.2f", b - a}')
load_end=$(cut -d' ' -f1 /proc/loadavg)

# Every delivery has had 10 s to arrive; the generator ends by itself once all have.
for _ in $(seq 100); do kill -0 "$generator" 2>/dev/null || break; sleep 0.1; done
kill -INT "$generator" 2>/dev/null || true
summary=$(cat <&3)
wait "$generator" 2>/dev/null || true
kill -TERM "$traffic"
wait "$traffic" || true

field() { sed -nE "s/.*(^| )$1=([^ ]*).*/\2/p" <<<"$2"; }
answers_line=$(cat "$work/answers.out")
traffic_line=$(cat "$work/traffic.out")
cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)

printf '\nLive Q&A: %s subscribers, %s answers at one per %s ms (%s, %s cores: %s)\n' \
  "$SUBSCRIBERS" "$ANSWERS" "$INTERVAL_MS" "$(git rev-parse --short HEAD)" "$(nproc)" "$cpu"
printf '%-40s %s\n' \
  "subscribers established / failed / dropped" \
  "$(field established "$summary") / $(field failed "$summary") / $(field dropped "$summary")" \
  "answers posted / errors" "$(field answers_posted "$answers_line") / $(field answer_errors "$answers_line")" \
  "deliveries expected / received" \
  "$(field deliveries_expected "$summary") / $(field deliveries_received "$summary")" \
  "subscribers with every answer" "$(field complete_subscribers "$summary")" \
  "ids out of order or repeated" "$(field out_of_order "$summary")" \
  "delivery delay p50 / p90 / p99 / max ms" \
  "$(field p50_ms "$summary") / $(field p90_ms "$summary") / $(field p99_ms "$summary") / $(field max_ms "$summary")" \
  "server RSS before / connected / end MB" "$rss_before / $rss_connected / $rss_end" \
  "RSS growth for the connections MB" "$(awk -v a="$rss_before" -v b="$rss_connected" 'BEGIN {printf "%.1f", b - a}')" \
  "RSS growth to the end MB" "$(awk -v a="$rss_before" -v b="$rss_end" 'BEGIN {printf "%.1f", b - a}')" \
  "other traffic requests (req/s)" "$(field other_requests "$traffic_line") ($(field other_rate "$traffic_line"))" \
  "other traffic non-2xx / socket errors" \
  "$(field other_non2xx "$traffic_line") / $(field other_errors "$traffic_line") $(field other_statuses "$traffic_line")" \
  "other traffic p50 / p99 / max ms" \
  "$(field other_p50_ms "$traffic_line") / $(field other_p99_ms "$traffic_line") / $(field other_max_ms "$traffic_line")" \
  "answer POST p50 / max ms" "$(field answer_post_p50_ms "$answers_line") / $(field answer_post_max_ms "$answers_line")" \
  "other traffic slowest by kind ms" "$(field other_slowest_by_kind "$traffic_line")" \
  "CPU s while answering: server / subscribers" "$server_cpu / $(field cpu_s_after_ready "$summary")" \
  "load average (1 min) before / end" "$load_before / $load_end"
echo "generator: $summary"

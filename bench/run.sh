#!/usr/bin/env bash
# HTTP benchmark: Vantage's GET /api/v1/instance against nginx serving the
# identical bytes as a static file, in the same run, with wrk.
#
#   bench/run.sh                 # build/vantage, 64 connections, 10 s per round, 3 rounds
#   CONNECTIONS=64 DURATION=10 ROUNDS=3 VANTAGE_BIN=build/vantage bench/run.sh
#
# Prints one line per round and a summary with the ratio of requests per
# second and both p99 latencies.
set -euo pipefail
cd "$(dirname "$0")/.."

VANTAGE_BIN=${VANTAGE_BIN:-build/vantage}
CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-3}
THREADS=${THREADS:-2}
PATH_UNDER_TEST=${PATH_UNDER_TEST:-/api/v1/instance}
VANTAGE_PORT=18181
NGINX_PORT=18182

need=()
command -v wrk >/dev/null || need+=(wrk)
[[ -x /usr/sbin/nginx ]] || need+=(nginx)
if ((${#need[@]})); then
  sudo=(); [[ $(id -u) -ne 0 ]] && sudo=(sudo)
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null \
    || { "${sudo[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; }
fi

work=$(mktemp -d)
vantage_pid=""; nginx_started=""
cleanup() {
  [[ -n "$vantage_pid" ]] && kill "$vantage_pid" 2>/dev/null && wait "$vantage_pid" 2>/dev/null || true
  [[ -n "$nginx_started" ]] && /usr/sbin/nginx -c "$work/nginx.conf" -p "$work" -s stop 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$VANTAGE_BIN" serve --listen 127.0.0.1:$VANTAGE_PORT --data "$work/data" --threads 2 \
  --access-log "$work/access.log" >"$work/vantage.out" 2>&1 &
vantage_pid=$!
for _ in $(seq 100); do grep -q "listening on" "$work/vantage.out" 2>/dev/null && break; sleep 0.1; done

# The exact bytes Vantage serves, as a static file for nginx.
mkdir -p "$work/root$(dirname "$PATH_UNDER_TEST")"
curl -sf "http://127.0.0.1:$VANTAGE_PORT$PATH_UNDER_TEST" -o "$work/root$PATH_UNDER_TEST" \
  || { echo "bench: vantage did not start:"; cat "$work/vantage.out"; exit 1; }
bytes=$(wc -c <"$work/root$PATH_UNDER_TEST")

cat >"$work/nginx.conf" <<NGINX
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log $work/nginx-access.log;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$NGINX_PORT reuseport;
    root $work/root;
    default_type application/json;
    location / { }
  }
}
NGINX
/usr/sbin/nginx -c "$work/nginx.conf" -p "$work"
nginx_started=1
sleep 0.3

# wrk prints "Requests/sec: N" and, with --latency, "99% Xms".
measure() {
  local url=$1 out
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$url")
  local rps p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  echo "$rps $p99"
}
to_ms() {  # wrk latency like 812.00us, 1.23ms, 1.01s
  awk -v v="$1" 'BEGIN { n=v+0; if (v ~ /us$/) n/=1000; else if (v ~ /ms$/) n=n; else if (v ~ /s$/) n*=1000; printf "%.2f", n }'
}

echo "bench: $PATH_UNDER_TEST ($bytes bytes), wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s, $ROUNDS rounds, $(nproc) cores"
v_all=(); n_all=(); vp_all=(); np_all=()
for round in $(seq "$ROUNDS"); do
  read -r v vp < <(measure "http://127.0.0.1:$VANTAGE_PORT$PATH_UNDER_TEST")
  read -r n np < <(measure "http://127.0.0.1:$NGINX_PORT$PATH_UNDER_TEST")
  printf "round %d: vantage %10.0f req/s p99 %8s ms | nginx %10.0f req/s p99 %8s ms | ratio %.2f\n" \
    "$round" "$v" "$(to_ms "$vp")" "$n" "$(to_ms "$np")" "$(awk -v a="$v" -v b="$n" 'BEGIN{print a/b}')"
  v_all+=("$v"); n_all+=("$n"); vp_all+=("$(to_ms "$vp")"); np_all+=("$(to_ms "$np")")
done

median() { printf "%s\n" "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
vm=$(median "${v_all[@]}"); nm=$(median "${n_all[@]}")
vpm=$(median "${vp_all[@]}"); npm=$(median "${np_all[@]}")
printf "median: vantage %.0f req/s (p99 %s ms), nginx %.0f req/s (p99 %s ms), ratio %.2f\n" \
  "$vm" "$vpm" "$nm" "$npm" "$(awk -v a="$vm" -v b="$nm" 'BEGIN{print a/b}')"

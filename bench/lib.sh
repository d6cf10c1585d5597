# Shared pieces of the benchmark scripts (sourced, not run).
# Expects: set -euo pipefail, and $work (a temporary directory) set by the caller.

CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-3}
THREADS=${THREADS:-2}
VANTAGE_BIN=${VANTAGE_BIN:-build/vantage}

bench_pids=()
nginx_conf=""

ensure_tools() {
  local need=()
  command -v wrk >/dev/null || need+=(wrk)
  [[ -x /usr/sbin/nginx ]] || need+=(nginx)
  ((${#need[@]})) || return 0
  local sudo=(); [[ $(id -u) -ne 0 ]] && sudo=(sudo)
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null \
    || { "${sudo[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; }
}

bench_cleanup() {
  local pid
  for pid in "${bench_pids[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done
  [[ -n "$nginx_conf" ]] && /usr/sbin/nginx -c "$nginx_conf" -p "$work" -s stop 2>/dev/null || true
  rm -rf "$work"
}

# start_vantage NAME PORT ARGS...: serves with an access log to a file, waits until listening.
start_vantage() {
  local name=$1 port=$2; shift 2
  "$VANTAGE_BIN" serve --listen 127.0.0.1:"$port" --threads 2 --access-log "$work/$name-access.log" "$@" \
    >"$work/$name.out" 2>&1 &
  bench_pids+=($!)
  for _ in $(seq 150); do grep -q "listening on" "$work/$name.out" 2>/dev/null && return 0; sleep 0.1; done
  echo "bench: $name did not start:"; cat "$work/$name.out"; exit 1
}

# start_nginx PORT: serves $work/root with 2 workers and an access log, like Vantage.
start_nginx() {
  nginx_conf=$work/nginx.conf
  cat >"$nginx_conf" <<NGINX
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log $work/nginx-access.log;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$1 reuseport;
    root $work/root;
    default_type application/json;
    location / { }
  }
}
NGINX
  # Run as root, nginx's workers run as nobody: they must be able to read
  # the files (mktemp -d makes the work directory private), or every request
  # is a 403 that measure() would otherwise time.
  chmod 755 "$work"
  chmod -R a+rX "$work/root"
  /usr/sbin/nginx -c "$nginx_conf" -p "$work"
  sleep 0.3
}

# measure URL: prints "requests_per_second p99_ms".
measure() {
  local out rps p99
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$1")
  if grep -q "Non-2xx or 3xx responses" <<<"$out"; then
    echo "bench: $1 answered errors:" >&2
    echo "$out" >&2
    exit 1
  fi
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  echo "$rps $(to_ms "$p99")"
}

to_ms() {  # wrk latency like 812.00us, 1.23ms, 1.01s
  awk -v v="$1" 'BEGIN { n=v+0; if (v ~ /us$/) n/=1000; else if (v ~ /ms$/) n=n; else if (v ~ /s$/) n*=1000; printf "%.2f", n }'
}

median() { printf "%s\n" "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a/b}'; }

#!/usr/bin/env bash
# Feed benchmark on a seeded network: the home timeline of `typical` (~20
# followees) and of `heavy` (5,000), an account's statuses (official's) and a
# status context, each served by Vantage and by nginx as a static file of the
# identical bytes, in the same run, with wrk; then how long a post by
# official takes to reach its followers' home timelines.
#
#   bench/feed/run.sh                        # the 10k-post and the 1M-post networks
#   NETWORKS=1000000 bench/feed/run.sh       # one of them
#   ROUNDS=1 DURATION=10 CONNECTIONS=64 FANOUT_FOLLOWERS=200 VANTAGE_BIN=build/vantage
#
# Networks come from `vantage seed` (100k accounts, 2M follows, likes and
# comments in proportion to the posts) and are kept in $SEED_CACHE, named by
# their post count and a digest of the migrations, so a rerun skips the
# seeding (delete the cache, or set SEED_CACHE, after changing what the seed
# writes). The server runs on the cached copy; the bench leaves only its
# sign-ins behind (the fan-out post is deleted).
#
# Targets (docs/benchmarks.md): home timeline >= 0.5x nginx's requests per
# second; p99 <= 10 ms at 64 connections; p99 at most 1.5x from the 10k-post
# to the 1M-post network; official's post in every follower's home timeline
# within 2 s of its 200.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-1}
source bench/lib.sh

NETWORKS=${NETWORKS:-"10000 1000000"}
SEED_CACHE=${SEED_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vantage/bench-feed}
FANOUT_FOLLOWERS=${FANOUT_FOLLOWERS:-200}
PASSWORD=vantage-seed  # the seed's default
VANTAGE_PORT=18191
NGINX_PORT=18192

ensure_tools
work=$(mktemp -d)
trap bench_cleanup EXIT
mkdir -p "$SEED_CACHE"
digest=$(cat src/store/migrations/*/*.sql | sha256sum | cut -c1-12)

# measure_auth URL TOKEN: "requests_per_second p99_ms failures". Only 2xx
# responses count as requests served (a fast stream of errors is no result);
# failures are the other responses plus requests that timed out.
measure_auth() {
  local out rps p99 non2xx timeouts requests
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "Authorization: Bearer $2" "$1")
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
  timeouts=$(sed -nE 's/.*timeout ([0-9]+).*/\1/p' <<<"$out")
  rps=$(awk -v r="$(awk '/Requests\/sec/ {print $2}' <<<"$out")" -v n="$requests" -v e="${non2xx:-0}" \
    'BEGIN { printf "%.1f", (n > 0) ? r * (n - e) / n : 0 }')
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  echo "$rps $(to_ms "$p99") $(( ${non2xx:-0} + ${timeouts:-0} ))"
}

# The seeded network with this many posts, from the cache or seeded now.
network() {
  local posts=$1 dir="$SEED_CACHE/posts$1-$digest"
  if [[ ! -f $dir/complete ]]; then
    rm -rf "$dir" "$dir.partial"
    echo "bench: seeding the $posts-post network into $dir" >&2
    "$VANTAGE_BIN" seed --data "$dir.partial" --posts "$posts" --password "$PASSWORD" >&2
    mv "$dir.partial" "$dir"
    touch "$dir/complete"
  fi
  echo "$dir"
}

declare -A p99_of
for posts in $NETWORKS; do
  data=$(network "$posts")
  start_vantage "feed$posts" "$VANTAGE_PORT" --data "$data" --sign-in-limit-ip 0 --sign-in-limit-account 0
  vantage_pid=${bench_pids[-1]}
  rm -rf "$work/root"
  mkdir -p "$work/root"
  node bench/feed/prepare.mjs "http://127.0.0.1:$VANTAGE_PORT" "$PASSWORD" "$work/root" >"$work/targets"
  start_nginx "$NGINX_PORT"

  echo "bench: network with $posts posts; wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s, $ROUNDS round(s), $(nproc) cores shared by Vantage, nginx and wrk"
  grep '^#' "$work/targets" | sed 's/^# /bench: /'
  while read -r name path token bytes; do
    [[ $name == "#" ]] && continue
    v_all=(); n_all=(); vp_all=(); np_all=(); errors=0
    for _ in $(seq "$ROUNDS"); do
      read -r v vp ve < <(measure_auth "http://127.0.0.1:$VANTAGE_PORT$path" "$token")
      read -r n np ne < <(measure_auth "http://127.0.0.1:$NGINX_PORT/$name" "$token")
      v_all+=("$v"); n_all+=("$n"); vp_all+=("$vp"); np_all+=("$np"); errors=$((errors + ve + ne))
    done
    vm=$(median "${v_all[@]}"); nm=$(median "${n_all[@]}"); vpm=$(median "${vp_all[@]}"); npm=$(median "${np_all[@]}")
    printf "%-8s %-17s %7s bytes | vantage %7.0f req/s p99 %7s ms | nginx %7.0f req/s p99 %6s ms | vantage/nginx %s%s\n" \
      "$posts" "$name" "$bytes" "$vm" "$vpm" "$nm" "$npm" "$(ratio "$vm" "$nm")" \
      "$( ((errors)) && echo " | $errors errors or timeouts")"
    p99_of[$posts,$name]=$vpm
  done <"$work/targets"

  node bench/feed/fanout.mjs "http://127.0.0.1:$VANTAGE_PORT" "$PASSWORD" "$FANOUT_FOLLOWERS" | grep -v '^fanout_max_ms'

  /usr/sbin/nginx -c "$nginx_conf" -p "$work" -s stop 2>/dev/null
  nginx_conf=""
  kill "$vantage_pid"
  wait "$vantage_pid" 2>/dev/null || true
  sleep 0.5
done

# p99 growth between the smallest and the largest network measured.
read -r small large < <(tr ' ' '\n' <<<"$NETWORKS" | grep . | sort -n | sed -n '1p;$p' | paste -sd' ')
if [[ -n ${large:-} && $small != "$large" ]]; then
  for name in home-typical home-heavy account-statuses context; do
    printf "p99 growth %-17s %s ms -> %s ms: %sx\n" "$name" "${p99_of[$small,$name]}" "${p99_of[$large,$name]}" \
      "$(ratio "${p99_of[$large,$name]}" "${p99_of[$small,$name]}")"
  done
fi

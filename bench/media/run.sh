#!/usr/bin/env bash
# Media pipeline benchmark (issue 4, section 7). Run from the repository root:
#   bench/media/run.sh
# Generates a 12-megapixel noise JPEG (quality 90) and measures, in the same
# run and on the same file, the CPU seconds and peak RSS of:
#   - Vantage's in-process pipeline (build-media-rel/media_bench, Release);
#   - six vipsthumbnail processes making the same variants
#     (large 1080x1350, small 640x800, thumb 320x320 attention crop; WebP and JPEG, Q 82, stripped);
#   - one ImageMagick convert process making the same six files, with and
#     without -define jpeg:size=1080x1350 (a shrink-on-load hint).
# Prints each figure (median of ROUNDS) and the ratios. Installs libvips-tools and
# imagemagick if they are missing. Settings: ROUNDS (3), ITERATIONS (10), BUILD (build-media-rel).
set -euo pipefail

ROUNDS=${ROUNDS:-3}
ITERATIONS=${ITERATIONS:-10}
BUILD=${BUILD:-build-media-rel}

need=()
command -v vipsthumbnail >/dev/null || need+=(libvips-tools)
command -v convert-im6.q16 >/dev/null || need+=(imagemagick)
if ((${#need[@]})); then
  sudo=(); [[ $(id -u) -ne 0 ]] && sudo=(sudo)
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null \
    || { "${sudo[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; }
fi
# The ImageMagick 6 binary itself, whatever `convert` resolves to on PATH.
IM=$(command -v convert-im6.q16)

[[ -f "$BUILD/build.ninja" ]] || cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
ninja -C "$BUILD" -j2 media_bench >/dev/null
bench="$BUILD/media_bench"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
in="$work/photo.jpg"
"$bench" make-input "$in" 4000 3000
echo "input: $(stat -c %s "$in") bytes, 4000x3000 noise JPEG, quality 90"

# measure CMD...: prints "user+sys_seconds max_rss_kb" for one process.
measure() {
  /usr/bin/time -f "%U %S %M" -o "$work/time" "$@" >/dev/null 2>"$work/stderr" || { cat "$work/stderr" >&2; return 1; }
  awk '{printf "%.3f %d\n", $1 + $2, $3}' "$work/time"
}

six_vipsthumbnails() {
  local cpu=0 rss=0 line c r
  for spec in "1080x1350 large" "640x800 small" "320x320 thumb"; do
    set -- $spec
    local crop=(); [[ $2 == thumb ]] && crop=(--smartcrop attention)
    for out in "$2.webp[Q=82,strip]" "$2.jpg[Q=82,strip,optimize_coding]"; do
      line=$(measure vipsthumbnail "$in" --size "$1" "${crop[@]}" -o "$work/vt-$out")
      read -r c r <<<"$line"
      cpu=$(awk -v a="$cpu" -v b="$c" 'BEGIN{print a + b}')
      ((r > rss)) && rss=$r
    done
  done
  echo "$cpu $rss"
}

imagemagick() {  # imagemagick [HINT...]
  measure "$IM" "$@" "$in" -auto-orient -strip -colorspace sRGB -quality 82 \
    \( +clone -resize '1080x1350>' -write "$work/im-large.webp" -write "$work/im-large.jpg" +delete \) \
    \( +clone -resize '640x800>' -write "$work/im-small.webp" -write "$work/im-small.jpg" +delete \) \
    -resize '320x320^' -gravity center -extent 320x320 -write "$work/im-thumb.webp" "$work/im-thumb.jpg"
}

median() { sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }

declare -A cpu rss
for ((round = 1; round <= ROUNDS; round++)); do
  line=$("$bench" run "$in" "$ITERATIONS")
  cpu[vantage]+="$(sed -E 's/.*cpu_s_per_upload=([0-9.]+).*/\1/' <<<"$line") "
  rss[vantage]+="$(sed -E 's/.*peak_rss_mb=([0-9.]+).*/\1/' <<<"$line") "
  read -r c r <<<"$(six_vipsthumbnails)"; cpu[vipsthumbnail]+="$c "; rss[vipsthumbnail]+="$((r / 1024)) "
  read -r c r <<<"$(imagemagick -define jpeg:size=1080x1350)"; cpu[im_hint]+="$c "; rss[im_hint]+="$((r / 1024)) "
  read -r c r <<<"$(imagemagick)"; cpu[im]+="$c "; rss[im]+="$((r / 1024)) "
done

declare -A med
printf '%-34s %14s %14s\n' "per upload (median of $ROUNDS)" "CPU seconds" "peak RSS MB"
for name in vantage vipsthumbnail im_hint im; do
  med[$name]=$(tr ' ' '\n' <<<"${cpu[$name]}" | grep . | median)
  label=${name/vantage/Vantage in-process}
  label=${label/vipsthumbnail/6 x vipsthumbnail}
  label=${label/im_hint/ImageMagick -define jpeg:size}
  [[ $label == im ]] && label="ImageMagick, no size hint"
  printf '%-34s %14s %14s\n' "$label" "${med[$name]}" "$(tr ' ' '\n' <<<"${rss[$name]}" | grep . | median)"
done
best_im=$(awk -v a="${med[im_hint]}" -v b="${med[im]}" 'BEGIN{print (a < b) ? a : b}')
awk -v v="${med[vantage]}" -v t="${med[vipsthumbnail]}" -v m="$best_im" 'BEGIN{
  printf "Vantage / best ImageMagick: %.2fx (target <= 0.9x)\n", v / m
  printf "6 x vipsthumbnail / Vantage: %.2fx (target >= 2.5x)\n", t / v }'

#!/usr/bin/env bash
# Concurrent uploads through the server (issue 4, section 7): RSS growth per
# running upload, a burst of CONCURRENCY uploads queueing on the CPU pool,
# and memory after the burst, with glibc's default malloc arenas and with
# MALLOC_ARENA_MAX=2. Run from the repository root:
#   bench/media/uploads.sh        # CONCURRENCY=16 CPU_THREADS=2 BUILD=build-rel
# Input: a fresh 4000x3000 gaussian-noise JPEG at quality 90 (media_bench make-input).
set -euo pipefail

CONCURRENCY=${CONCURRENCY:-16}
CPU_THREADS=${CPU_THREADS:-2}
BUILD=${BUILD:-build-rel}

[[ -f "$BUILD/build.ninja" ]] || cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
ninja -C "$BUILD" -j2 vantage media_bench >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$BUILD/media_bench" make-input "$work/photo.jpg" 4000 3000

node bench/media/uploads.mjs "$BUILD/vantage" "$work/photo.jpg" "$CONCURRENCY" "$CPU_THREADS"
MALLOC_ARENA_MAX=2 node bench/media/uploads.mjs "$BUILD/vantage" "$work/photo.jpg" "$CONCURRENCY" "$CPU_THREADS"

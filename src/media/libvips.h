// The one piece of process-wide state the media pipeline owns: libvips.
//
// InitLibvips() starts libvips exactly once per process (later calls are
// no-ops and cheap) and locks it down for untrusted input:
//   - the operation cache is off (no decoded pixels outlive a request);
//   - libvips runs each operation on the calling thread (concurrency 1): the
//     server supplies the parallelism with its bounded CPU pool;
//   - operations libvips marks untrusted are blocked, and so is every loader
//     except the buffer loaders of the accepted formats (jpegload_buffer,
//     pngload_buffer, webpload_buffer, heifload_buffer, gifload_buffer), so
//     no byte stream can reach a file, SVG, PDF, TIFF, ImageMagick ... loader.
// Thread-safe. Fails only if libvips itself cannot start.
#pragma once

#include "core/error.h"

namespace vantage::media {

Status InitLibvips();

}  // namespace vantage::media

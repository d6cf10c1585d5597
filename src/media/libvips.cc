#include "media/libvips.h"

#include <vips/vips8>

#include <mutex>

namespace vantage::media {
namespace {

constexpr const char* kAllowedLoaders[] = {
    "jpegload_buffer", "pngload_buffer", "webpload_buffer", "heifload_buffer", "gifload_buffer",
};

}  // namespace

Status InitLibvips() {
  static std::once_flag once;
  static bool started = false;
  std::call_once(once, [] {
    if (VIPS_INIT("vantage") != 0) return;
    vips_cache_set_max(0);
    vips_concurrency_set(1);
    vips_block_untrusted_set(TRUE);
    // Block the whole loader family, then reopen the few we decode. Blocking
    // a class blocks its subclasses, and a later unblock of a subclass wins.
    vips_operation_block_set("VipsForeignLoad", TRUE);
    for (const char* loader : kAllowedLoaders) vips_operation_block_set(loader, FALSE);
    started = true;
  });
  if (!started) return Error::Internal("libvips failed to start");
  return Ok();
}

}  // namespace vantage::media

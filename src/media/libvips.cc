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
    // 8.14 finds the class to unblock only by its type name (an unblock by
    // nickname is silently ignored), so each nickname is resolved first.
    vips_operation_block_set("VipsForeignLoad", TRUE);
    for (const char* loader : kAllowedLoaders) {
      GType type = vips_type_find("VipsOperation", loader);
      if (type == 0) return;  // a libvips without one of our formats: refuse to start
      vips_operation_block_set(g_type_name(type), FALSE);
    }
    started = true;
  });
  if (!started) return Error::Internal("libvips failed to start");
  return Ok();
}

}  // namespace vantage::media

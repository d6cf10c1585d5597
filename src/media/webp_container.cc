#include "media/webp_container.h"

#include "media/bytes.h"
#include "media/verify.h"

namespace vantage::media {
namespace {

constexpr uint8_t kVp8xAlphaFlag = 0x10;

void AppendLe32(std::string& out, uint32_t v) {
  for (int shift = 0; shift < 32; shift += 8) out.push_back(static_cast<char>(v >> shift));
}

bool IsPixelChunk(std::string_view fourcc) {
  return fourcc == "VP8X" || fourcc == "ALPH" || fourcc == "VP8 " || fourcc == "VP8L";
}

}  // namespace

Result<std::string> StripWebpMetadata(std::string_view webp) {
  if (webp.size() < 12 || webp.substr(0, 4) != "RIFF" || webp.substr(8, 4) != "WEBP" ||
      uint64_t{ReadLe32(webp, 4)} + 8 != webp.size()) {
    return MetadataLeft("the encoder did not produce a WebP file");
  }
  std::string out = "RIFF____WEBP";  // size patched below
  out.reserve(webp.size());
  size_t p = 12;
  while (p < webp.size()) {
    if (p + 8 > webp.size()) return MetadataLeft("truncated WebP chunk header");
    std::string_view fourcc = webp.substr(p, 4);
    uint64_t size = ReadLe32(webp, p + 4);
    uint64_t padded = size + (size & 1);
    if (p + 8 + padded > webp.size()) return MetadataLeft("truncated WebP chunk");
    if (IsPixelChunk(fourcc)) {
      size_t at = out.size();
      out.append(webp.substr(p, 8 + padded));
      if (fourcc == "VP8X") {
        if (size < 10) return MetadataLeft("short VP8X chunk");
        out[at + 8] = static_cast<char>(static_cast<uint8_t>(out[at + 8]) & kVp8xAlphaFlag);
      }
    }
    p += 8 + padded;
  }
  std::string size;
  AppendLe32(size, static_cast<uint32_t>(out.size() - 8));
  out.replace(4, 4, size);
  return out;
}

}  // namespace vantage::media

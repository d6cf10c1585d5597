// Bounds-checked big- and little-endian reads for the byte-level parsers
// (sniff, header, webp_container, verify). Reading past the end yields 0,
// so callers check sizes first and a short input can never be read out of
// bounds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace vantage::media {

inline uint32_t ByteAt(std::string_view b, size_t i) {
  return i < b.size() ? static_cast<uint8_t>(b[i]) : 0u;
}
inline uint32_t ReadBe16(std::string_view b, size_t i) { return ByteAt(b, i) << 8 | ByteAt(b, i + 1); }
inline uint32_t ReadBe32(std::string_view b, size_t i) {
  return ReadBe16(b, i) << 16 | ReadBe16(b, i + 2);
}
inline uint32_t ReadLe16(std::string_view b, size_t i) { return ByteAt(b, i) | ByteAt(b, i + 1) << 8; }
inline uint32_t ReadLe24(std::string_view b, size_t i) {
  return ReadLe16(b, i) | ByteAt(b, i + 2) << 16;
}
inline uint32_t ReadLe32(std::string_view b, size_t i) {
  return ReadLe16(b, i) | ReadLe16(b, i + 2) << 16;
}

}  // namespace vantage::media

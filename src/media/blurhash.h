// BlurHash (https://blurha.sh): a ~30-character placeholder for an image.
//
// Our own implementation of the public algorithm, as Mastodon clients expect
// it in `blurhash`. Pure computation, thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"

namespace vantage::media {

// `pixels` is 8-bit sRGB, row-major, `bands` bytes per pixel (3, or 4 with an
// alpha that is ignored), `width` × `height` pixels. Components 1..9 each way.
// The hash is 4 + 2 × x_components × y_components characters long.
std::string EncodeBlurhash(const uint8_t* pixels, int width, int height, int bands,
                           int x_components = 4, int y_components = 3);

// The average colour a hash encodes (its DC component), as 8-bit sRGB.
// kInvalid "invalid_blurhash" for a malformed hash.
Result<std::array<uint8_t, 3>> BlurhashAverageColour(std::string_view hash);

}  // namespace vantage::media

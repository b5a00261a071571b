// The safetensors format (huggingface/safetensors): 8-byte little-endian header length N, N
// bytes of JSON {name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}},
// then the raw little-endian tensor bytes. Written atomically (temp file + rename); every read
// is validated and failures name the file.
//
// Kept in the project because libtorch 1.13 has no safetensors support and the reference
// implementation (huggingface/safetensors) is a Rust crate with no C++ API or Debian package.
// The JSON header goes through nlohmann-json and the data checksum through zlib's crc32; what
// remains here is the byte layout and the validation (bounds, overlaps, dtype sizes, CRC).
#pragma once

#include <torch/torch.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace sedm::safetensors {

/** Writes `tensors` (copied to CPU contiguous) and string `metadata`. A "sedm_crc32" metadata
 * entry with the CRC-32 of the data section is added so bit rot is detected on load. */
void write(const std::string& path, const std::vector<std::pair<std::string, at::Tensor>>& tensors,
           std::map<std::string, std::string> metadata);

struct File {
    std::map<std::string, at::Tensor> tensors;  // CPU tensors in the file's dtype
    std::map<std::string, std::string> metadata;
};

/** Reads and validates a whole file; throws sedm::Error(SEDM_ERR_IO) naming `path` on any problem. */
File read(const std::string& path);

}  // namespace sedm::safetensors

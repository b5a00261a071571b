#include "safetensors.h"

#include <unistd.h>
#include <zlib.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>

#include <nlohmann/json.hpp>

#include "../abi/handles.h"

namespace sedm::safetensors {
namespace {

[[noreturn]] void io_fail(const std::string& path, const std::string& problem) {
    fail(SEDM_ERR_IO, "safetensors file '" + path + "': " + problem);
}

using Json = nlohmann::json;

/** CRC-32 (zlib's, the same polynomial as gzip/PNG) of `n` bytes, continuing `crc`. zlib takes a
 * uInt length, so large buffers go in chunks. */
uint32_t crc32_of(const uint8_t* data, size_t n, uint32_t crc = 0) {
    uLong c = crc;
    while (n > 0) {
        const size_t chunk = std::min<size_t>(n, std::numeric_limits<uInt>::max());
        c = ::crc32(c, data, static_cast<uInt>(chunk));
        data += chunk;
        n -= chunk;
    }
    return static_cast<uint32_t>(c);
}

/** A non-negative exact integer field of the header (shape entry, data offset); nlohmann keeps
 * integers exact as int64/uint64, so offsets above 2^53 survive. Rejects fractions, negatives and
 * values past int64. */
int64_t header_integer(const std::string& path, const Json& v, const std::string& field) {
    if (v.is_number_unsigned()) {
        const uint64_t u = v.get<uint64_t>();
        if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
            io_fail(path, "corrupt header: " + field + " = " + v.dump() + " is past the 64-bit range");
        return static_cast<int64_t>(u);
    }
    if (v.is_number_integer()) io_fail(path, "corrupt header: " + field + " = " + v.dump() + " is negative");
    io_fail(path, "corrupt header: " + field + " must be a non-negative integer, got " + v.dump());
}

const Json& member(const std::string& path, const Json& object, const std::string& key, const std::string& owner) {
    auto it = object.find(key);
    if (it == object.end()) io_fail(path, "corrupt header: " + owner + " has no \"" + key + "\"");
    return *it;
}

const char* dtype_name(at::ScalarType t) {
    switch (t) {
        case at::kFloat: return "F32";
        case at::kDouble: return "F64";
        case at::kHalf: return "F16";
        case at::kBFloat16: return "BF16";
        case at::kLong: return "I64";
        case at::kInt: return "I32";
        case at::kShort: return "I16";
        case at::kChar: return "I8";
        case at::kByte: return "U8";
        case at::kBool: return "BOOL";
        default: fail(SEDM_ERR_UNSUPPORTED, std::string("safetensors: unsupported dtype ") + c10::toString(t));
    }
}

bool dtype_of(const std::string& name, at::ScalarType& out) {
    static const std::map<std::string, at::ScalarType> table = {
        {"F32", at::kFloat}, {"F64", at::kDouble}, {"F16", at::kHalf}, {"BF16", at::kBFloat16}, {"I64", at::kLong},
        {"I32", at::kInt},   {"I16", at::kShort},  {"I8", at::kChar},  {"U8", at::kByte},       {"BOOL", at::kBool}};
    auto it = table.find(name);
    if (it == table.end()) return false;
    out = it->second;
    return true;
}

bool little_endian() {
    const uint16_t one = 1;
    uint8_t b;
    std::memcpy(&b, &one, 1);
    return b == 1;
}

}  // namespace

void write(const std::string& path, const std::vector<std::pair<std::string, at::Tensor>>& tensors,
           std::map<std::string, std::string> metadata) {
    if (!little_endian()) fail(SEDM_ERR_UNSUPPORTED, "safetensors: big-endian hosts are not supported");
    std::vector<at::Tensor> cpu;
    Json header = Json::object();
    uint64_t offset = 0;
    uint32_t crc = 0;
    for (const auto& [name, t] : tensors) {
        if (name == "__metadata__" || name.empty())
            fail(SEDM_ERR_INVALID_ARGUMENT, "safetensors: bad tensor name '" + name + "'");
        if (header.contains(name)) fail(SEDM_ERR_INVALID_ARGUMENT, "safetensors: duplicate tensor name '" + name + "'");
        at::Tensor c = t.detach().to(at::kCPU).contiguous();
        const uint64_t nbytes = static_cast<uint64_t>(c.numel()) * c.element_size();
        header[name] = {{"dtype", dtype_name(c.scalar_type())},
                        {"shape", c.sizes().vec()},
                        {"data_offsets", {offset, offset + nbytes}}};
        offset += nbytes;
        cpu.push_back(c);
    }
    // Data follow the header in the order the tensors were given; the CRC covers them in that order.
    for (const auto& c : cpu)
        crc = crc32_of(static_cast<const uint8_t*>(c.data_ptr()), c.numel() * c.element_size(), crc);
    metadata["sedm_crc32"] = std::to_string(crc);
    header["__metadata__"] = metadata;
    std::string text = header.dump();
    while (text.size() % 8 != 0) text += ' ';
    const uint64_t n = text.size();

    const std::string tmp = path + ".tmp." + std::to_string(::getpid());
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) io_fail(path, "cannot create temporary file '" + tmp + "': " + std::strerror(errno));
        uint8_t len[8];
        for (int i = 0; i < 8; ++i) len[i] = static_cast<uint8_t>(n >> (8 * i));
        out.write(reinterpret_cast<const char*>(len), 8);
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
        for (const auto& c : cpu) {
            out.write(static_cast<const char*>(c.data_ptr()),
                      static_cast<std::streamsize>(c.numel() * c.element_size()));
        }
        out.flush();
        if (!out) {
            std::remove(tmp.c_str());
            io_fail(path, std::string("write failed: ") + std::strerror(errno));
        }
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        const std::string why = std::strerror(errno);
        std::remove(tmp.c_str());
        io_fail(path, "cannot rename the temporary file into place: " + why);
    }
}

File read(const std::string& path) {
    if (!little_endian()) fail(SEDM_ERR_UNSUPPORTED, "safetensors: big-endian hosts are not supported");
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) io_fail(path, std::string("cannot open: ") + std::strerror(errno));
    const int64_t size = static_cast<int64_t>(in.tellg());
    in.seekg(0);
    if (size < 8) io_fail(path, "truncated: " + std::to_string(size) + " bytes, shorter than the 8-byte header length");
    uint8_t len[8];
    in.read(reinterpret_cast<char*>(len), 8);
    uint64_t n = 0;
    for (int i = 0; i < 8; ++i) n |= static_cast<uint64_t>(len[i]) << (8 * i);
    if (n > static_cast<uint64_t>(size - 8))
        io_fail(path, "corrupt or truncated: header length " + std::to_string(n) + " exceeds the " +
                          std::to_string(size - 8) + " bytes after it");
    if (n > (uint64_t{100} << 20)) io_fail(path, "corrupt: header length " + std::to_string(n) + " is over 100 MiB");
    std::string text(n, '\0');
    in.read(text.data(), static_cast<std::streamsize>(n));
    if (!in) io_fail(path, "read failed in the header");
    Json header;
    try {
        header = Json::parse(text);
    } catch (const Json::exception& e) {
        io_fail(path, std::string("corrupt header: ") + e.what());
    }
    if (!header.is_object()) io_fail(path, "corrupt header: not a JSON object");
    const int64_t data_size = size - 8 - static_cast<int64_t>(n);
    std::vector<uint8_t> data(static_cast<size_t>(data_size));
    in.read(reinterpret_cast<char*>(data.data()), data_size);
    if (!in) io_fail(path, "read failed in the data section");

    File file;
    std::vector<std::pair<int64_t, int64_t>> ranges;
    for (const auto& [name, entry] : header.items()) {
        if (name == "__metadata__") {
            if (!entry.is_object()) io_fail(path, "corrupt header: __metadata__ is not an object");
            for (const auto& [k, v] : entry.items()) {
                if (!v.is_string()) io_fail(path, "corrupt header: __metadata__." + k + " is not a string");
                file.metadata[k] = v.get<std::string>();
            }
            continue;
        }
        if (!entry.is_object()) io_fail(path, "corrupt header: tensor '" + name + "' is not an object");
        const Json& dt_json = member(path, entry, "dtype", "tensor '" + name + "'");
        if (!dt_json.is_string()) io_fail(path, "corrupt header: " + name + ".dtype is not a string");
        const std::string dt = dt_json.get<std::string>();
        at::ScalarType dtype;
        if (!dtype_of(dt, dtype)) io_fail(path, "tensor '" + name + "' has unsupported dtype " + dt);
        const Json& shape_json = member(path, entry, "shape", "tensor '" + name + "'");
        if (!shape_json.is_array()) io_fail(path, "corrupt header: " + name + ".shape is not an array");
        std::vector<int64_t> shape;
        int64_t numel = 1;
        for (const auto& s : shape_json) {
            const int64_t d = header_integer(path, s, name + ".shape");
            if (d != 0 && numel > std::numeric_limits<int64_t>::max() / d)
                io_fail(path, "corrupt header: " + name + ".shape overflows 64 bits");
            shape.push_back(d);
            numel *= d;
        }
        const Json& off = member(path, entry, "data_offsets", "tensor '" + name + "'");
        if (!off.is_array() || off.size() != 2)
            io_fail(path, "tensor '" + name + "': data_offsets must hold 2 numbers");
        const int64_t begin = header_integer(path, off[0], name + ".data_offsets[0]");
        const int64_t end = header_integer(path, off[1], name + ".data_offsets[1]");
        if (end < begin || end > data_size)
            io_fail(path, "truncated or corrupt: tensor '" + name + "' spans bytes [" + std::to_string(begin) + ", " +
                              std::to_string(end) + ") but the data section holds " + std::to_string(data_size));
        const int64_t need = numel * static_cast<int64_t>(c10::elementSize(dtype));
        if (end - begin != need)
            io_fail(path, "corrupt: tensor '" + name + "' has " + std::to_string(end - begin) + " bytes but shape " +
                              shape_string(shape) + " of " + dt + " needs " + std::to_string(need));
        at::Tensor t = at::empty(shape, at::TensorOptions().dtype(dtype));
        if (need) std::memcpy(t.data_ptr(), data.data() + begin, static_cast<size_t>(need));
        file.tensors[name] = t;
        ranges.emplace_back(begin, end);
    }
    std::sort(ranges.begin(), ranges.end());
    int64_t cursor = 0;
    for (const auto& [b, e] : ranges) {
        if (b != cursor)
            io_fail(path, "corrupt: tensor data overlap or leave a hole at byte " + std::to_string(cursor));
        cursor = e;
    }
    if (cursor != data_size)
        io_fail(path, "corrupt: " + std::to_string(data_size - cursor) + " trailing bytes after the last tensor");
    auto it = file.metadata.find("sedm_crc32");
    if (it != file.metadata.end()) {
        // The CRC covers tensors in data-offset order, which is the order write() laid them out.
        const uint32_t crc = crc32_of(data.data(), data.size());
        if (std::to_string(crc) != it->second)
            io_fail(path, "corrupt: CRC-32 of the data is " + std::to_string(crc) + ", the header says " + it->second);
    }
    return file;
}

}  // namespace sedm::safetensors

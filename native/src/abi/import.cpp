// State dicts of other programs: reading the zip archive torch.save writes (and safetensors),
// writing one that torch.load reads. The import of official EDM / DG checkpoints maps their
// names onto sedm's in Java; this file only moves named tensors in and out of files.
//
// Why a reader of our own: libtorch's torch::pickle_load reads a plain dict saved by torch.save
// but aborts on the OrderedDict (with its `_metadata` attribute, set by pickle's BUILD opcode)
// that nn.Module.state_dict() returns - which is what every checkpoint holds. So the archive is
// opened with libtorch's own zip reader (caffe2::serialize::PyTorchStreamReader) and its
// `data.pkl` is run through the small pickle machine below, which knows exactly the opcodes of
// protocols 2-5 and the few globals a state dict uses (collections.OrderedDict,
// torch._utils._rebuild_tensor_v2 / _rebuild_parameter, torch.<Type>Storage). Anything else is
// refused with its name: nothing in the file is ever executed. Format: Python's
// Lib/pickletools.py (opcode table) and torch/serialization.py (_save's persistent ids).
#include <caffe2/serialize/inline_container.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <unistd.h>
#include <utility>
#include <variant>
#include <vector>

#include "handles.h"
#include "../nn/safetensors.h"

struct sedm_state_dict {
    std::vector<std::pair<std::string, at::Tensor>> entries;  // file order, CPU, contiguous
};

namespace sedm {
namespace {

[[noreturn]] void io_fail(const std::string& path, const std::string& why) {
    fail(SEDM_ERR_IO, "'" + path + "': " + why);
}

// ---- the values a state-dict pickle builds --------------------------------------------------

struct Value;
using ValuePtr = std::shared_ptr<Value>;

struct Global {
    std::string module, name;
    std::string qualified() const { return module + "." + name; }
};
struct Mark {};
struct None {};
struct Storage {
    at::ScalarType dtype;
    std::string key;
};
struct Dict {
    std::vector<std::pair<ValuePtr, ValuePtr>> items;
};
struct Tuple {
    std::vector<ValuePtr> items;
};
struct List {
    std::vector<ValuePtr> items;
};

struct Value {
    std::variant<None, Mark, bool, int64_t, double, std::string, Global, Storage, at::Tensor, Dict, Tuple, List> v;
    template <typename T>
    explicit Value(T x) : v(std::move(x)) {}
};

template <typename T>
ValuePtr make(T x) {
    return std::make_shared<Value>(std::move(x));
}

const char* kind_of(const Value& x) {
    static const char* names[] = {"None",   "mark",    "bool",   "int",  "float", "str",
                                  "global", "storage", "tensor", "dict", "tuple", "list"};
    return names[x.v.index()];
}

at::ScalarType storage_dtype(const std::string& path, const Global& g) {
    static const std::map<std::string, at::ScalarType> types = {
        {"FloatStorage", at::kFloat},       {"DoubleStorage", at::kDouble}, {"HalfStorage", at::kHalf},
        {"BFloat16Storage", at::kBFloat16}, {"LongStorage", at::kLong},     {"IntStorage", at::kInt},
        {"ShortStorage", at::kShort},       {"CharStorage", at::kChar},     {"ByteStorage", at::kByte},
        {"BoolStorage", at::kBool}};
    auto it = types.find(g.name);
    if (g.module != "torch" || it == types.end())
        io_fail(path, "unsupported storage type " + g.qualified() + " in the pickle");
    return it->second;
}

/** Runs the pickle program `data` of archive `path`, resolving storages through `reader`. */
class Unpickler {
public:
    Unpickler(const std::string& path, const std::string& data, caffe2::serialize::PyTorchStreamReader& reader)
        : path_(path), data_(data), reader_(reader) {}

    ValuePtr run() {
        while (true) {
            const uint8_t op = byte();
            switch (op) {
                case 0x80: byte(); break;                                                            // PROTO
                case 0x95: take(8); break;                                                           // FRAME
                case '.': return pop("STOP");                                                        // STOP
                case '(': stack_.push_back(make(Mark{})); break;                                     // MARK
                case 'N': stack_.push_back(make(None{})); break;                                     // NONE
                case 0x88: stack_.push_back(make(true)); break;                                      // NEWTRUE
                case 0x89: stack_.push_back(make(false)); break;                                     // NEWFALSE
                case ')': stack_.push_back(make(Tuple{})); break;                                    // EMPTY_TUPLE
                case '}': stack_.push_back(make(Dict{})); break;                                     // EMPTY_DICT
                case ']': stack_.push_back(make(List{})); break;                                     // EMPTY_LIST
                case 'K': stack_.push_back(make<int64_t>(byte())); break;                            // BININT1
                case 'M': stack_.push_back(make<int64_t>(uint_le(2))); break;                        // BININT2
                case 'J': stack_.push_back(make<int64_t>(static_cast<int32_t>(uint_le(4)))); break;  // BININT
                case 0x8a: stack_.push_back(make<int64_t>(long1())); break;                          // LONG1
                case 'G': stack_.push_back(make(binfloat())); break;                                 // BINFLOAT
                case 'X': stack_.push_back(make(take(uint_le(4)))); break;                           // BINUNICODE
                case 0x8c: stack_.push_back(make(take(byte()))); break;                              // SHORT_BINUNICODE
                case 0x8d: stack_.push_back(make(take(uint_le(8)))); break;                          // BINUNICODE8
                case 'T': stack_.push_back(make(take(uint_le(4)))); break;                           // BINSTRING
                case 'U': stack_.push_back(make(take(byte()))); break;                               // SHORT_BINSTRING
                case 'c': {                                                                          // GLOBAL
                    std::string module = line(), name = line();
                    stack_.push_back(make(Global{module, name}));
                    break;
                }
                case 0x93: {  // STACK_GLOBAL
                    std::string name = text(pop("STACK_GLOBAL")), module = text(pop("STACK_GLOBAL"));
                    stack_.push_back(make(Global{module, name}));
                    break;
                }
                case 'q': memo_[byte()] = top("BINPUT"); break;              // BINPUT
                case 'r': memo_[uint_le(4)] = top("LONG_BINPUT"); break;     // LONG_BINPUT
                case 0x94: memo_[memo_.size()] = top("MEMOIZE"); break;      // MEMOIZE
                case 'h': stack_.push_back(memo(byte())); break;             // BINGET
                case 'j': stack_.push_back(memo(uint_le(4))); break;         // LONG_BINGET
                case 't': stack_.push_back(make(Tuple{pop_mark()})); break;  // TUPLE
                case 0x85: tuple_n(1); break;                                // TUPLE1
                case 0x86: tuple_n(2); break;                                // TUPLE2
                case 0x87: tuple_n(3); break;                                // TUPLE3
                case 'l': stack_.push_back(make(List{pop_mark()})); break;   // LIST
                case 'a': {                                                  // APPEND
                    ValuePtr v = pop("APPEND");
                    list_of(top("APPEND")).items.push_back(v);
                    break;
                }
                case 'e': {  // APPENDS
                    auto items = pop_mark();
                    auto& l = list_of(top("APPENDS"));
                    l.items.insert(l.items.end(), items.begin(), items.end());
                    break;
                }
                case 's': {  // SETITEM
                    ValuePtr v = pop("SETITEM"), k = pop("SETITEM");
                    dict_of(top("SETITEM")).items.emplace_back(k, v);
                    break;
                }
                case 'u': {  // SETITEMS
                    auto items = pop_mark();
                    if (items.size() % 2 != 0) io_fail(path_, "corrupt pickle: SETITEMS with an odd item count");
                    auto& d = dict_of(top("SETITEMS"));
                    for (size_t i = 0; i < items.size(); i += 2) d.items.emplace_back(items[i], items[i + 1]);
                    break;
                }
                case 'Q': stack_.push_back(persistent(pop("BINPERSID"))); break;  // BINPERSID
                case 'R': {                                                       // REDUCE
                    ValuePtr args = pop("REDUCE"), callable = pop("REDUCE");
                    stack_.push_back(reduce(*callable, *args));
                    break;
                }
                case 0x81: {  // NEWOBJ: cls.__new__(cls, *args); only OrderedDict is allowed
                    ValuePtr args = pop("NEWOBJ"), cls = pop("NEWOBJ");
                    stack_.push_back(reduce(*cls, *args));
                    break;
                }
                case 'b': {  // BUILD: obj.__setstate__(state); a dict's state is its attributes
                    ValuePtr state = pop("BUILD");
                    if (!std::holds_alternative<Dict>(top("BUILD")->v))
                        io_fail(path_, std::string("unsupported pickle: BUILD on a ") + kind_of(*top("BUILD")));
                    (void)state;  // OrderedDict._metadata (per-module versions): not needed
                    break;
                }
                default: {
                    char hex[8];
                    std::snprintf(hex, sizeof hex, "0x%02x", op);
                    io_fail(path_, std::string("unsupported pickle opcode ") + hex + " at byte " +
                                       std::to_string(pos_ - 1) +
                                       " (not a state dict of tensors written by torch.save?)");
                }
            }
        }
    }

private:
    uint8_t byte() {
        if (pos_ >= data_.size()) io_fail(path_, "truncated pickle (data.pkl ends early)");
        return static_cast<uint8_t>(data_[pos_++]);
    }
    std::string take(uint64_t n) {
        if (n > data_.size() - pos_) io_fail(path_, "truncated pickle (data.pkl ends early)");
        std::string s = data_.substr(pos_, n);
        pos_ += n;
        return s;
    }
    uint64_t uint_le(int n) {
        uint64_t v = 0;
        for (int i = 0; i < n; ++i) v |= static_cast<uint64_t>(byte()) << (8 * i);
        return v;
    }
    int64_t long1() {
        const int n = byte();
        if (n > 8) io_fail(path_, "unsupported pickle: an integer wider than 64 bits");
        if (n == 0) return 0;
        uint64_t v = uint_le(n);
        if (n < 8 && (v >> (8 * n - 1)) & 1) v |= ~uint64_t{0} << (8 * n);  // sign-extend
        return static_cast<int64_t>(v);
    }
    double binfloat() {
        uint64_t bits = 0;
        for (int i = 0; i < 8; ++i) bits = (bits << 8) | byte();  // big-endian
        double d;
        std::memcpy(&d, &bits, sizeof d);
        return d;
    }
    std::string line() {
        const size_t end = data_.find('\n', pos_);
        if (end == std::string::npos) io_fail(path_, "truncated pickle (GLOBAL without a newline)");
        std::string s = data_.substr(pos_, end - pos_);
        pos_ = end + 1;
        return s;
    }
    ValuePtr pop(const char* op) {
        if (stack_.empty()) io_fail(path_, std::string("corrupt pickle: ") + op + " on an empty stack");
        ValuePtr v = stack_.back();
        stack_.pop_back();
        return v;
    }
    ValuePtr top(const char* op) {
        if (stack_.empty()) io_fail(path_, std::string("corrupt pickle: ") + op + " on an empty stack");
        return stack_.back();
    }
    ValuePtr memo(uint64_t index) {
        auto it = memo_.find(index);
        if (it == memo_.end()) io_fail(path_, "corrupt pickle: memo entry " + std::to_string(index) + " unset");
        return it->second;
    }
    std::vector<ValuePtr> pop_mark() {
        for (size_t i = stack_.size(); i-- > 0;) {
            if (std::holds_alternative<Mark>(stack_[i]->v)) {
                std::vector<ValuePtr> items(stack_.begin() + static_cast<std::ptrdiff_t>(i) + 1, stack_.end());
                stack_.resize(i);
                return items;
            }
        }
        io_fail(path_, "corrupt pickle: no MARK on the stack");
    }
    void tuple_n(size_t n) {
        if (stack_.size() < n) io_fail(path_, "corrupt pickle: TUPLE" + std::to_string(n) + " on a short stack");
        std::vector<ValuePtr> items(stack_.end() - static_cast<std::ptrdiff_t>(n), stack_.end());
        stack_.resize(stack_.size() - n);
        stack_.push_back(make(Tuple{items}));
    }
    Dict& dict_of(const ValuePtr& v) {
        if (auto* d = std::get_if<Dict>(&v->v)) return *d;
        io_fail(path_, std::string("corrupt pickle: SETITEM on a ") + kind_of(*v));
    }
    List& list_of(const ValuePtr& v) {
        if (auto* l = std::get_if<List>(&v->v)) return *l;
        io_fail(path_, std::string("corrupt pickle: APPEND on a ") + kind_of(*v));
    }
    std::string text(const ValuePtr& v) {
        if (auto* s = std::get_if<std::string>(&v->v)) return *s;
        io_fail(path_, std::string("corrupt pickle: expected a str, got a ") + kind_of(*v));
    }
    int64_t integer(const ValuePtr& v) {
        if (auto* i = std::get_if<int64_t>(&v->v)) return *i;
        io_fail(path_, std::string("corrupt pickle: expected an int, got a ") + kind_of(*v));
    }
    std::vector<int64_t> ints(const ValuePtr& v) {
        auto* t = std::get_if<Tuple>(&v->v);
        if (t == nullptr) io_fail(path_, std::string("corrupt pickle: expected a tuple, got a ") + kind_of(*v));
        std::vector<int64_t> out;
        for (const auto& x : t->items) out.push_back(integer(x));
        return out;
    }

    // torch/serialization.py _save: persistent_id(storage) =
    //   ('storage', storage_type, key, location, numel); the bytes are the record data/<key>.
    ValuePtr persistent(const ValuePtr& pid) {
        auto* t = std::get_if<Tuple>(&pid->v);
        if (t == nullptr || t->items.size() != 5 || text(t->items[0]) != "storage")
            io_fail(path_, "unsupported persistent id (not a torch.save storage reference)");
        auto* g = std::get_if<Global>(&t->items[1]->v);
        if (g == nullptr) io_fail(path_, "corrupt pickle: storage type is not a global");
        return make(Storage{storage_dtype(path_, *g), text(t->items[2])});
    }

    at::Tensor storage_tensor(const Storage& s) {
        auto found = storages_.find(s.key);
        if (found != storages_.end()) return found->second;
        const std::string record = "data/" + s.key;
        if (!reader_.hasRecord(record)) io_fail(path_, "the archive lacks the storage record '" + record + "'");
        auto [ptr, size] = reader_.getRecord(record);
        const int64_t item = static_cast<int64_t>(c10::elementSize(s.dtype));
        if (size % static_cast<size_t>(item) != 0)
            io_fail(path_, "storage '" + s.key + "' has " + std::to_string(size) + " bytes, not a whole number of " +
                               dtype_name(s.dtype) + " elements");
        at::Tensor flat = at::empty({static_cast<int64_t>(size) / item}, at::TensorOptions().dtype(s.dtype));
        if (size > 0) std::memcpy(flat.data_ptr(), ptr.get(), size);
        storages_.emplace(s.key, flat);
        return flat;
    }

    ValuePtr reduce(const Value& callable, const Value& args_value) {
        auto* g = std::get_if<Global>(&callable.v);
        auto* args = std::get_if<Tuple>(&args_value.v);
        if (g == nullptr || args == nullptr) io_fail(path_, "unsupported pickle: REDUCE of a non-global");
        const std::string name = g->qualified();
        if (name == "collections.OrderedDict") return make(Dict{});
        if (name == "torch._utils._rebuild_tensor_v2" || name == "torch._utils._rebuild_tensor") {
            // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
            if (args->items.size() < 4) io_fail(path_, "corrupt pickle: " + name + " with too few arguments");
            auto* s = std::get_if<Storage>(&args->items[0]->v);
            if (s == nullptr) io_fail(path_, "corrupt pickle: " + name + " without a storage");
            at::Tensor flat = storage_tensor(*s);
            const int64_t offset = integer(args->items[1]);
            const auto size = ints(args->items[2]);
            const auto stride = ints(args->items[3]);
            if (size.size() != stride.size()) io_fail(path_, "corrupt pickle: size and stride differ in length");
            int64_t last = offset;  // highest element index the view touches
            for (size_t d = 0; d < size.size(); ++d) {
                if (size[d] < 0 || stride[d] < 0) io_fail(path_, "corrupt pickle: negative size or stride");
                if (size[d] == 0) last = -1;
                if (last >= 0) last += (size[d] - 1) * stride[d];
            }
            if (offset < 0 || last >= flat.numel())
                io_fail(path_, "a tensor of shape " + shape_string(size) + " reaches past its storage '" + s->key +
                                   "' (" + std::to_string(flat.numel()) + " elements)");
            return make(flat.as_strided(size, stride, offset).contiguous().clone());
        }
        if (name == "torch.jit._pickle.restore_type_tag") {
            // torch::pickle_save (libtorch's writer, used by export) tags typed containers:
            // restore_type_tag(value, "Dict[str, Tensor]") returns the value itself.
            if (args->items.empty()) io_fail(path_, "corrupt pickle: " + name + " without a value");
            return args->items[0];
        }
        if (name == "torch._utils._rebuild_parameter" || name == "torch._utils._rebuild_parameter_with_state") {
            if (args->items.empty() || !std::holds_alternative<at::Tensor>(args->items[0]->v))
                io_fail(path_, "corrupt pickle: " + name + " without a tensor");
            return args->items[0];
        }
        io_fail(path_, "refusing to build the Python object " + name +
                           " (a state dict holds only tensors; is this a whole pickled model rather than "
                           "its state_dict()?)");
    }

    const std::string& path_;
    const std::string& data_;
    caffe2::serialize::PyTorchStreamReader& reader_;
    size_t pos_ = 0;
    std::vector<ValuePtr> stack_;
    std::map<uint64_t, ValuePtr> memo_;
    std::map<std::string, at::Tensor> storages_;
};

bool starts_with_zip_magic(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) io_fail(path, std::string("cannot open: ") + std::strerror(errno));
    char magic[4] = {0, 0, 0, 0};
    in.read(magic, 4);
    return in.gcount() == 4 && magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4;
}

std::vector<std::pair<std::string, at::Tensor>> read_torch(const std::string& path) {
    if (!starts_with_zip_magic(path))
        io_fail(path,
                "not a torch.save zip archive (files saved by PyTorch < 1.6 or with "
                "_use_new_zipfile_serialization=False use the legacy format: re-save it with torch.save)");
    std::unique_ptr<caffe2::serialize::PyTorchStreamReader> reader;
    try {
        reader = std::make_unique<caffe2::serialize::PyTorchStreamReader>(path);
    } catch (const c10::Error& e) {
        io_fail(path, std::string("corrupt zip archive: ") + e.what_without_backtrace());
    }
    if (!reader->hasRecord("data.pkl")) io_fail(path, "the archive has no data.pkl (not written by torch.save)");
    std::string pickle;
    try {
        auto [ptr, size] = reader->getRecord("data.pkl");
        pickle.assign(static_cast<const char*>(ptr.get()), size);
    } catch (const c10::Error& e) {
        io_fail(path, std::string("corrupt zip archive: ") + e.what_without_backtrace());
    }
    ValuePtr root;
    try {
        root = Unpickler(path, pickle, *reader).run();
    } catch (const c10::Error& e) {
        io_fail(path, std::string("corrupt zip archive: ") + e.what_without_backtrace());
    }
    auto* dict = std::get_if<Dict>(&root->v);
    if (dict == nullptr) io_fail(path, std::string("holds a ") + kind_of(*root) + ", not a dict of tensors");
    std::vector<std::pair<std::string, at::Tensor>> out;
    std::map<std::string, bool> seen;
    for (const auto& [k, v] : dict->items) {
        auto* name = std::get_if<std::string>(&k->v);
        if (name == nullptr) io_fail(path, std::string("has a key of type ") + kind_of(*k) + "; keys must be str");
        auto* t = std::get_if<at::Tensor>(&v->v);
        if (t == nullptr)
            io_fail(path, "entry '" + *name + "' is a " + kind_of(*v) + ", not a tensor (pass a state dict)");
        if (seen[*name]) io_fail(path, "entry '" + *name + "' appears twice");
        seen[*name] = true;
        out.emplace_back(*name, *t);
    }
    return out;
}

void write_torch(const std::string& path, const std::vector<std::pair<std::string, at::Tensor>>& entries) {
    c10::Dict<std::string, at::Tensor> dict;
    for (const auto& [name, t] : entries) dict.insert(name, t);
    const std::vector<char> bytes = torch::pickle_save(c10::IValue(dict));
    const std::string tmp = path + ".tmp." + std::to_string(::getpid());
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) io_fail(path, "cannot create temporary file '" + tmp + "': " + std::strerror(errno));
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        out.flush();
        if (!out) {
            std::remove(tmp.c_str());
            io_fail(path, "write failed (disk full?)");
        }
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        const std::string why = std::strerror(errno);
        std::remove(tmp.c_str());
        io_fail(path, "cannot rename the temporary file into place: " + why);
    }
}

const sedm_state_dict& dict_of(const sedm_state_dict* d) {
    require(d != nullptr, "d is NULL");
    return *d;
}

const std::pair<std::string, at::Tensor>& entry(const sedm_state_dict* d, int64_t index) {
    const auto& entries = dict_of(d).entries;
    require(index >= 0 && index < static_cast<int64_t>(entries.size()),
            "index " + std::to_string(index) + " out of range [0, " + std::to_string(entries.size()) + ")");
    return entries[static_cast<size_t>(index)];
}

}  // namespace
}  // namespace sedm

using sedm::require;

extern "C" {

sedm_status sedm_state_dict_create(sedm_state_dict** out) {
    return sedm::guard(__func__, [&] {
        require(out != nullptr, "out is NULL");
        *out = sedm::adopt(new sedm_state_dict{});
    });
}

sedm_status sedm_state_dict_load(const char* path, int32_t format, sedm_state_dict** out) {
    return sedm::guard(__func__, [&] {
        require(out != nullptr, "out is NULL");
        *out = nullptr;
        require(path != nullptr, "path is NULL");
        require(format == SEDM_STATE_DICT_TORCH || format == SEDM_STATE_DICT_SAFETENSORS,
                "format must be SEDM_STATE_DICT_TORCH or SEDM_STATE_DICT_SAFETENSORS, got " + std::to_string(format));
        auto d = std::make_unique<sedm_state_dict>();
        if (format == SEDM_STATE_DICT_TORCH) {
            d->entries = sedm::read_torch(path);
        } else {
            for (auto& [name, t] : sedm::safetensors::read(path).tensors) d->entries.emplace_back(name, t);
        }
        *out = sedm::adopt(d.release());
    });
}

sedm_status sedm_state_dict_save(const sedm_state_dict* d, const char* path, int32_t format) {
    return sedm::guard(__func__, [&] {
        const auto& dict = sedm::dict_of(d);
        require(path != nullptr, "path is NULL");
        require(format == SEDM_STATE_DICT_TORCH || format == SEDM_STATE_DICT_SAFETENSORS,
                "format must be SEDM_STATE_DICT_TORCH or SEDM_STATE_DICT_SAFETENSORS, got " + std::to_string(format));
        if (format == SEDM_STATE_DICT_TORCH)
            sedm::write_torch(path, dict.entries);
        else
            sedm::safetensors::write(path, dict.entries, {});
    });
}

sedm_status sedm_state_dict_size(const sedm_state_dict* d, int64_t* out) {
    return sedm::guard(__func__, [&] {
        require(out != nullptr, "out is NULL");
        *out = static_cast<int64_t>(sedm::dict_of(d).entries.size());
    });
}

sedm_status sedm_state_dict_name(const sedm_state_dict* d, int64_t index, char* buf, int64_t cap, int64_t* out_length) {
    return sedm::guard(__func__, [&] {
        const std::string& name = sedm::entry(d, index).first;
        if (out_length != nullptr) *out_length = static_cast<int64_t>(name.size());
        if (buf != nullptr && cap > 0) {
            const size_t n = std::min(name.size(), static_cast<size_t>(cap - 1));
            std::memcpy(buf, name.data(), n);
            buf[n] = '\0';
        }
    });
}

sedm_status sedm_state_dict_get(const sedm_state_dict* d, int64_t index, sedm_tensor** out) {
    return sedm::guard(__func__, [&] {
        require(out != nullptr, "out is NULL");
        *out = nullptr;
        *out = sedm::adopt(new sedm_tensor{sedm::entry(d, index).second.clone()});
    });
}

sedm_status sedm_state_dict_put(sedm_state_dict* d, const char* name, const sedm_tensor* value) {
    return sedm::guard(__func__, [&] {
        require(d != nullptr, "d is NULL");
        require(name != nullptr && name[0] != '\0', "name is NULL or empty");
        const at::Tensor& t = sedm::tensor_of(value, "value");
        at::Tensor copy = t.detach().to(at::kCPU).contiguous().clone();
        for (auto& [n, existing] : d->entries) {
            if (n == name) {
                existing = copy;
                return;
            }
        }
        d->entries.emplace_back(name, copy);
    });
}

void sedm_state_dict_destroy(sedm_state_dict* d) { sedm::release(d); }

}  // extern "C"

// Recursive-descent JSON parser (RFC 8259 subset: no duplicate-key detection).
#include "json.h"

#include <cmath>
#include <cstdlib>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace sedm::json {

Value Value::boolean(bool b) {
    Value v;
    v.type_ = Type::Bool;
    v.bool_ = b;
    return v;
}

Value Value::number(double d) {
    Value v;
    v.type_ = Type::Number;
    v.number_ = d;
    std::ostringstream os;
    os.precision(17);
    os << d;
    v.text_ = os.str();
    return v;
}

Value Value::integer(int64_t i) {
    Value v;
    v.type_ = Type::Number;
    v.number_ = static_cast<double>(i);
    v.text_ = std::to_string(i);
    return v;
}

Value Value::string(std::string s) {
    Value v;
    v.type_ = Type::String;
    v.text_ = std::move(s);
    return v;
}

Value Value::array(std::vector<Value> items) {
    Value v;
    v.type_ = Type::Array;
    v.items_ = std::move(items);
    return v;
}

Value Value::object(std::map<std::string, Value> members) {
    Value v;
    v.type_ = Type::Object;
    v.members_ = std::move(members);
    return v;
}

namespace {
[[noreturn]] void type_error(const std::string& what, const char* expected) {
    throw std::invalid_argument(what + " must be " + expected);
}
}  // namespace

bool Value::as_bool(const std::string& what) const {
    if (type_ != Type::Bool) type_error(what, "a boolean");
    return bool_;
}

double Value::as_double(const std::string& what) const {
    if (type_ != Type::Number) type_error(what, "a number");
    return number_;
}

int64_t Value::as_int(const std::string& what) const {
    if (type_ != Type::Number) type_error(what, "an integer");
    if (text_.find_first_of(".eE") == std::string::npos) {
        errno = 0;
        char* end = nullptr;
        const long long v = std::strtoll(text_.c_str(), &end, 10);
        if (errno == 0 && end && *end == '\0') return static_cast<int64_t>(v);
        type_error(what, "an integer in the int64 range");
    }
    if (std::floor(number_) != number_ || std::fabs(number_) > 9.007199254740992e15) type_error(what, "an integer");
    return static_cast<int64_t>(number_);
}

const std::string& Value::as_string(const std::string& what) const {
    if (type_ != Type::String) type_error(what, "a string");
    return text_;
}

const std::vector<Value>& Value::items(const std::string& what) const {
    if (type_ != Type::Array) type_error(what, "an array");
    return items_;
}

const std::map<std::string, Value>& Value::members(const std::string& what) const {
    if (type_ != Type::Object) type_error(what, "an object");
    return members_;
}

bool Value::has(const std::string& key) const { return type_ == Type::Object && members_.count(key) != 0; }

const Value& Value::at(const std::string& key) const {
    if (type_ != Type::Object) throw std::invalid_argument("not a JSON object (looking for \"" + key + "\")");
    auto it = members_.find(key);
    if (it == members_.end()) throw std::invalid_argument("missing key \"" + key + "\"");
    return it->second;
}

std::string quote(const std::string& s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            default:
                if (c < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out += static_cast<char>(c);
                }
        }
    }
    return out + "\"";
}

std::string Value::dump() const {
    switch (type_) {
        case Type::Null: return "null";
        case Type::Bool: return bool_ ? "true" : "false";
        case Type::Number: return text_;
        case Type::String: return quote(text_);
        case Type::Array: {
            std::string s = "[";
            for (size_t i = 0; i < items_.size(); ++i) s += (i ? "," : "") + items_[i].dump();
            return s + "]";
        }
        case Type::Object: {
            std::string s = "{";
            bool first = true;
            for (const auto& [k, v] : members_) {
                s += (first ? "" : ",") + quote(k) + ":" + v.dump();
                first = false;
            }
            return s + "}";
        }
    }
    return "null";
}

namespace {

class Parser {
public:
    explicit Parser(const std::string& text) : s_(text) {}

    Value document() {
        Value v = value(0);
        ws();
        if (pos_ != s_.size()) error("trailing characters after the JSON value");
        return v;
    }

private:
    const std::string& s_;
    size_t pos_ = 0;

    [[noreturn]] void error(const std::string& message) const {
        throw std::invalid_argument("malformed JSON at byte " + std::to_string(pos_) + ": " + message);
    }

    void ws() {
        while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) ++pos_;
    }

    bool consume(const char* word) {
        size_t n = std::char_traits<char>::length(word);
        if (s_.compare(pos_, n, word) == 0) {
            pos_ += n;
            return true;
        }
        return false;
    }

    Value value(int depth) {
        if (depth > 64) error("nesting deeper than 64");
        ws();
        if (pos_ >= s_.size()) error("unexpected end of input");
        char c = s_[pos_];
        if (c == '{') return object(depth);
        if (c == '[') return array(depth);
        if (c == '"') return Value::string(string());
        if (consume("true")) return Value::boolean(true);
        if (consume("false")) return Value::boolean(false);
        if (consume("null")) return Value();
        if (c == '-' || (c >= '0' && c <= '9')) return number();
        error(std::string("unexpected character '") + c + "'");
    }

    Value object(int depth) {
        ++pos_;
        std::map<std::string, Value> members;
        ws();
        if (pos_ < s_.size() && s_[pos_] == '}') {
            ++pos_;
            return Value::object(std::move(members));
        }
        while (true) {
            ws();
            if (pos_ >= s_.size() || s_[pos_] != '"') error("expected a string key");
            std::string key = string();
            ws();
            if (pos_ >= s_.size() || s_[pos_] != ':') error("expected ':'");
            ++pos_;
            members[key] = value(depth + 1);
            ws();
            if (pos_ < s_.size() && s_[pos_] == ',') {
                ++pos_;
                continue;
            }
            if (pos_ < s_.size() && s_[pos_] == '}') {
                ++pos_;
                return Value::object(std::move(members));
            }
            error("expected ',' or '}'");
        }
    }

    Value array(int depth) {
        ++pos_;
        std::vector<Value> items;
        ws();
        if (pos_ < s_.size() && s_[pos_] == ']') {
            ++pos_;
            return Value::array(std::move(items));
        }
        while (true) {
            items.push_back(value(depth + 1));
            ws();
            if (pos_ < s_.size() && s_[pos_] == ',') {
                ++pos_;
                continue;
            }
            if (pos_ < s_.size() && s_[pos_] == ']') {
                ++pos_;
                return Value::array(std::move(items));
            }
            error("expected ',' or ']'");
        }
    }

    static void utf8(std::string& out, uint32_t cp) {
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        }
    }

    uint32_t hex4() {
        if (pos_ + 4 > s_.size()) error("truncated \\u escape");
        uint32_t v = 0;
        for (int i = 0; i < 4; ++i) {
            char c = s_[pos_++];
            v <<= 4;
            if (c >= '0' && c <= '9') v |= c - '0';
            else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
            else if (c >= 'A' && c <= 'F') v |= c - 'A' + 10;
            else error("bad hex digit in \\u escape");
        }
        return v;
    }

    std::string string() {
        ++pos_;  // opening quote
        std::string out;
        while (true) {
            if (pos_ >= s_.size()) error("unterminated string");
            char c = s_[pos_++];
            if (c == '"') return out;
            if (static_cast<unsigned char>(c) < 0x20) error("control character in string");
            if (c != '\\') {
                out += c;
                continue;
            }
            if (pos_ >= s_.size()) error("unterminated escape");
            char e = s_[pos_++];
            switch (e) {
                case '"': out += '"'; break;
                case '\\': out += '\\'; break;
                case '/': out += '/'; break;
                case 'b': out += '\b'; break;
                case 'f': out += '\f'; break;
                case 'n': out += '\n'; break;
                case 'r': out += '\r'; break;
                case 't': out += '\t'; break;
                case 'u': {
                    uint32_t cp = hex4();
                    if (cp >= 0xD800 && cp < 0xDC00 && s_.compare(pos_, 2, "\\u") == 0) {
                        pos_ += 2;
                        uint32_t lo = hex4();
                        if (lo < 0xDC00 || lo >= 0xE000) error("bad surrogate pair");
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    }
                    utf8(out, cp);
                    break;
                }
                default: error(std::string("bad escape \\") + e);
            }
        }
    }

    Value number() {
        const size_t start = pos_;
        if (s_[pos_] == '-') ++pos_;
        auto digits = [&] {
            size_t d = pos_;
            while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
            if (pos_ == d) error("expected a digit");
        };
        digits();
        if (pos_ < s_.size() && s_[pos_] == '.') {
            ++pos_;
            digits();
        }
        if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
            ++pos_;
            if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
            digits();
        }
        const std::string text = s_.substr(start, pos_ - start);
        Value v = Value::number(std::strtod(text.c_str(), nullptr));
        // keep the exact source text for integers
        if (text.find_first_of(".eE") == std::string::npos) {
            errno = 0;
            long long i = std::strtoll(text.c_str(), nullptr, 10);
            if (errno == 0) v = Value::integer(i);
        }
        return v;
    }
};

}  // namespace

Value parse(const std::string& text) { return Parser(text).document(); }

}  // namespace sedm::json

// A small JSON value and parser for network configs and safetensors headers. No external deps.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace sedm::json {

/** One JSON value. Objects keep their keys sorted (std::map); numbers keep the source text so
 * 64-bit integers (safetensors offsets) survive exactly. */
class Value {
public:
    enum class Type { Null, Bool, Number, String, Array, Object };

    Value() = default;
    static Value boolean(bool b);
    static Value number(double d);
    static Value integer(int64_t i);
    static Value string(std::string s);
    static Value array(std::vector<Value> items = {});
    static Value object(std::map<std::string, Value> members = {});

    Type type() const { return type_; }
    bool is_null() const { return type_ == Type::Null; }
    bool is_number() const { return type_ == Type::Number; }
    bool is_string() const { return type_ == Type::String; }
    bool is_array() const { return type_ == Type::Array; }
    bool is_object() const { return type_ == Type::Object; }

    bool as_bool(const std::string& what) const;
    double as_double(const std::string& what) const;
    /** The number as an exact int64; fails for fractions and out-of-range values. */
    int64_t as_int(const std::string& what) const;
    const std::string& as_string(const std::string& what) const;
    const std::vector<Value>& items(const std::string& what) const;
    const std::map<std::string, Value>& members(const std::string& what) const;

    bool has(const std::string& key) const;
    /** Member `key` of an object; fails when absent. */
    const Value& at(const std::string& key) const;

    std::vector<Value>& mutable_items() { return items_; }
    std::map<std::string, Value>& mutable_members() { return members_; }

    /** Compact JSON text. */
    std::string dump() const;

private:
    Type type_ = Type::Null;
    bool bool_ = false;
    double number_ = 0.0;
    std::string text_;  // the string, or the number's source text
    std::vector<Value> items_;
    std::map<std::string, Value> members_;
};

/** Parses `text`; throws std::invalid_argument with the byte offset on malformed input. */
Value parse(const std::string& text);

/** JSON string literal for `s` (with quotes). */
std::string quote(const std::string& s);

}  // namespace sedm::json

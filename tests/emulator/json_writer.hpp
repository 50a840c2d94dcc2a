// A minimal streaming JSON writer. Pages of thousands of events are written
// with it instead of nlohmann::json, which is several times slower to build.
#pragma once

#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace emu {

// Joins pieces into one string. (GCC 12 warns falsely, -Wrestrict, on
// "literal" + std::string chains; this sidesteps them.)
inline std::string concat(std::initializer_list<std::string_view> parts) {
    std::string out;
    for (auto part : parts) out += part;
    return out;
}

class JsonWriter {
public:
    JsonWriter& begin_object() { return open('{'); }
    JsonWriter& end_object() { return close('}'); }
    JsonWriter& begin_array() { return open('['); }
    JsonWriter& end_array() { return close(']'); }

    JsonWriter& key(std::string_view k) {
        separate();
        quote(k);
        out_ += ':';
        after_key_ = true;
        return *this;
    }
    JsonWriter& str(std::string_view v) {
        separate();
        quote(v);
        return *this;
    }
    JsonWriter& num(std::int64_t v) {
        separate();
        out_ += std::to_string(v);
        return *this;
    }
    JsonWriter& boolean(bool v) {
        separate();
        out_ += v ? "true" : "false";
        return *this;
    }
    JsonWriter& null() {
        separate();
        out_ += "null";
        return *this;
    }
    // Already-serialized JSON.
    JsonWriter& raw(std::string_view json) {
        separate();
        out_ += json;
        return *this;
    }
    // key + string, or key + null when `v` is null.
    JsonWriter& field(std::string_view k, std::string_view v) { return key(k).str(v); }
    JsonWriter& field_or_null(std::string_view k, const std::string* v) {
        key(k);
        return v ? str(*v) : null();
    }

    std::string take() { return std::move(out_); }
    void reserve(size_t n) { out_.reserve(n); }

private:
    JsonWriter& open(char c) {
        separate();
        out_ += c;
        first_.push_back(true);
        return *this;
    }
    JsonWriter& close(char c) {
        out_ += c;
        first_.pop_back();
        return *this;
    }
    void separate() {
        if (after_key_) {
            after_key_ = false;
            return;
        }
        if (first_.empty()) return;
        if (!first_.back()) out_ += ',';
        first_.back() = false;
    }
    void quote(std::string_view s) {
        out_ += '"';
        for (char c : s) {
            switch (c) {
            case '"': out_ += "\\\""; break;
            case '\\': out_ += "\\\\"; break;
            case '\n': out_ += "\\n"; break;
            case '\r': out_ += "\\r"; break;
            case '\t': out_ += "\\t"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out_ += buf;
                } else {
                    out_ += c;
                }
            }
        }
        out_ += '"';
    }

    std::string out_;
    std::vector<bool> first_;
    bool after_key_ = false;
};

}  // namespace emu

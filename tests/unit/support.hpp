// Shared fixtures for the unit tests: a per-test temp dir and a scripted
// HttpClient, so no test touches the network or another test's files.
#pragma once

#include <stdlib.h>
#include <sys/stat.h>

#include <deque>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "http/http.hpp"

namespace calsync::test {

// A fresh directory under $TMPDIR, removed when the test ends, kept (and its
// path printed) when the test is unwinding from a failed REQUIRE.
class TempDir {
public:
    TempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "calsync-unit-XXXXXX").string();
        if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
        path_ = tmpl;
    }
    ~TempDir() {
        if (std::uncaught_exceptions() > 0) {
            std::cerr << "keeping " << path_ << " for inspection\n";
            return;
        }
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

constexpr std::string_view kLowerHex = "0123456789abcdef";
constexpr std::string_view kUrlSafe = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// Whether `s` has `size` characters, all drawn from `allowed` (std::regex
// trips GCC 12's -Wmaybe-uninitialized under the sanitizers).
inline bool only(std::string_view s, std::string_view allowed, size_t size) {
    return s.size() == size && s.find_first_not_of(allowed) == std::string_view::npos;
}

inline void write_file(const std::filesystem::path& path, const std::string& bytes, mode_t mode = 0600) {
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out << bytes;
    }
    ::chmod(path.c_str(), mode);
}

inline std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline unsigned file_mode(const std::filesystem::path& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return 0;
    return unsigned(st.st_mode & 07777);
}

// Plays back a script: each send() takes the next response, or throws
// NetworkError when the script says so. Records every request it saw.
class FakeHttp : public HttpClient {
public:
    struct Fail {
        std::string message = "connection refused";
    };
    using Step = std::variant<HttpResponse, Fail>;

    void respond(long status, std::string body = {}, Headers headers = {}) {
        script_.push_back(HttpResponse{status, std::move(headers), std::move(body)});
    }
    void fail(std::string message = "connection refused") { script_.push_back(Fail{std::move(message)}); }

    HttpResponse send(const HttpRequest& request) override {
        requests.push_back(request);
        if (script_.empty()) throw std::logic_error("FakeHttp: unexpected request to " + request.url);
        Step step = std::move(script_.front());
        script_.pop_front();
        if (auto* f = std::get_if<Fail>(&step)) throw NetworkError(f->message);
        return std::get<HttpResponse>(step);
    }

    std::vector<HttpRequest> requests;

private:
    std::deque<Step> script_;
};

}  // namespace calsync::test

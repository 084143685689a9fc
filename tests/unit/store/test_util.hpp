#pragma once
// Shared by the store tests: a private temporary directory per test and a
// few known hashes. Each hash says how it was made.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>

#include "gatekeeper/gate/ports.hpp"
#include "gatekeeper/password/hash.hpp"

namespace gk::store::test {

// openssl passwd -apr1 -salt saltsalt secret
inline const std::string kApr1Secret = "$apr1$saltsalt$LrttParrLPdxvgutaSXWJ0";
// printf secret | openssl sha1 -binary | base64
inline const std::string kShaSecret = "{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=";
// openssl passwd -6 -salt saltsalt secret
inline const std::string kSha512Secret =
    "$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq.H91p5hVO1";

// A lookup that must have been answered: its value (the user or nullopt);
// an error fails the test and reads as nullopt.
inline std::optional<gate::UserRecord> must(const gate::UserLookup& r) {
    if (!r) {
        ADD_FAILURE() << "lookup failed: " << r.error();
        return std::nullopt;
    }
    return r.value();
}

// libargon2's minimum: keeps the tests fast; production uses the defaults.
inline password::Argon2Params cheap_argon2() { return password::Argon2Params{1, 8, 1}; }

class TempDir {
public:
    TempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "gk-store-XXXXXX").string();
        if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path_ = tmpl;
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }
    [[nodiscard]] std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

inline void write_text(const std::filesystem::path& p, const std::string& text) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << text;
}

inline std::string read_text(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline std::size_t count_entries(const std::filesystem::path& dir) {
    return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(dir),
                                                  std::filesystem::directory_iterator()));
}

inline unsigned mode_of(const std::filesystem::path& p) {
    struct stat st {};
    ::stat(p.c_str(), &st);
    return st.st_mode & 07777;
}

}  // namespace gk::store::test

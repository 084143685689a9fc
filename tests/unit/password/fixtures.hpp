#pragma once
// Reads the htpasswd fixtures in testdata/ (see testdata/README.md for how each was made).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "gatekeeper/password/htpasswd.hpp"

namespace gk::password::test {

inline std::string read_testdata(const std::string& name) {
    std::ifstream in(std::string(GK_TESTDATA_DIR) + "/" + name, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// The stored hash for `user` in fixture file `file`; empty (and a test failure) if absent.
inline std::string fixture_hash(const std::string& file, const std::string& user) {
    auto parsed = parse_htpasswd(read_testdata(file));
    if (!parsed.ok()) {
        ADD_FAILURE() << file << ": " << parsed.error().message;
        return {};
    }
    for (const auto& e : parsed.value())
        if (e.user == user) return e.hash;
    ADD_FAILURE() << file << ": no user " << user;
    return {};
}

}  // namespace gk::password::test

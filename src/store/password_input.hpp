#pragma once
// Reading a new password for the CLI: never from argv (visible in ps and in
// shell history). From a terminal: asked twice with echo off; from a pipe:
// one line.
#include <cstdio>
#include <string>

#include "gatekeeper/common/result.hpp"
#include "gatekeeper/common/secret.hpp"

namespace gk::store {

inline constexpr std::size_t kMaxPasswordBytes = 4096;

// One line from `fd`: up to '\n' or end of input, a trailing "\r\n" or "\n"
// dropped. Errors: nothing to read, line longer than kMaxPasswordBytes, an
// embedded NUL, or a read error.
Result<Secret, std::string> read_password_line(int fd);

// The `hash` / `user add` / `user passwd` input. When `fd` is a terminal the
// prompts go to `prompt_out` and the two entries must match. Empty passwords
// are refused.
Result<Secret, std::string> read_new_password(int fd, std::FILE* prompt_out);

}  // namespace gk::store

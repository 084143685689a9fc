#pragma once
// YAML config (docs/config-schema.md) into one validated, immutable gate::Policy.
// Every problem found is reported, each with file:line:column and a hint, so an
// operator fixes a broken file in one pass instead of one error per restart.
#include <string>
#include <string_view>
#include <vector>

#include "gatekeeper/common/result.hpp"
#include "gatekeeper/gate/policy.hpp"

namespace gk::config {

struct ConfigError {
    std::string file;
    int line = 0;    // 1-based; 0 = the file as a whole (e.g. unreadable)
    int column = 0;  // 1-based; 0 = unknown
    std::string message;
    std::string hint;  // what to do about it; may be empty
};

// "file:line:col: error: message (hint: ...)"; line/column and hint are left
// out when unknown.
[[nodiscard]] std::string format(const ConfigError& e);

using LoadResult = Result<gate::Policy, std::vector<ConfigError>>;

// Reads and validates `path`. Relative paths inside the file are resolved
// against the file's folder; an unreadable file is one error naming it.
[[nodiscard]] LoadResult load_policy_file(const std::string& path);

// Validates YAML text. `display_name` names the text in errors and becomes
// Policy::source_file; relative paths are resolved against `base_dir` (the
// current directory when empty). Errors come sorted by line and column.
[[nodiscard]] LoadResult load_policy_text(std::string_view yaml, const std::string& display_name,
                                          const std::string& base_dir);

}  // namespace gk::config

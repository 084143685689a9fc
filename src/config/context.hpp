#pragma once
// Shared state of one load: where errors go, and typed readers over yaml-cpp
// nodes that report a bad value instead of throwing. Internal to config/.
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gatekeeper/config/config.hpp"

namespace gk::config::detail {

struct Ctx {
    std::string file;
    std::string base_dir;
    std::vector<ConfigError> errors;
    // `tls:` mappings that name no certificate: fine only when an acme:
    // section obtains them, which load.cpp knows once every section is read.
    std::vector<YAML::Mark> tls_without_certificate;
    // `postgres: true` user sources: they need state.postgres, read later.
    std::vector<YAML::Mark> postgres_user_sources;

    void error(const YAML::Mark& at, std::string message, std::string hint = {});
    // `path` relative to base_dir unless absolute; lexically normalised.
    [[nodiscard]] std::string resolve(std::string_view path) const;
};

// One key: value entry of a mapping. Errors about a missing (null) value point
// at the key, since yaml-cpp marks a null value at the next token.
struct Field {
    std::string key;
    YAML::Mark key_mark;
    YAML::Node value;

    [[nodiscard]] YAML::Mark mark() const;
};

// The entries of a mapping, checked once: non-scalar and duplicate keys and
// keys outside `known` are reported (the latter with "did you mean").
class Fields {
public:
    Fields(Ctx& ctx, const YAML::Node& map, std::initializer_list<std::string_view> known);
    [[nodiscard]] const Field* get(std::string_view key) const;
    [[nodiscard]] const std::vector<Field>& all() const { return fields_; }

private:
    std::vector<Field> fields_;
};

// Mapping entries without a fixed key set (named upstreams, user sources).
[[nodiscard]] std::vector<Field> entries(Ctx& ctx, const YAML::Node& map);

// Each reader reports what is wrong with the value and returns nullopt then.
[[nodiscard]] bool expect_map(Ctx& ctx, const Field& f);
[[nodiscard]] bool expect_map(Ctx& ctx, const YAML::Node& n, std::string_view what);
[[nodiscard]] std::optional<std::string> read_string(Ctx& ctx, const Field& f);
[[nodiscard]] std::optional<std::string> read_string(Ctx& ctx, const YAML::Node& n, const YAML::Mark& at,
                                                     std::string_view what);
[[nodiscard]] std::optional<bool> read_bool(Ctx& ctx, const Field& f);
[[nodiscard]] std::optional<std::uint64_t> read_uint(Ctx& ctx, const Field& f, std::uint64_t min,
                                                     std::uint64_t max);
// Durations must be positive: a zero timeout is a typo, never a wish.
[[nodiscard]] std::optional<std::chrono::milliseconds> read_duration(Ctx& ctx, const Field& f);
// A single string or a sequence of strings; each is returned with its mark.
struct Item {
    std::string text;
    YAML::Mark mark;
};
[[nodiscard]] std::optional<std::vector<Item>> read_string_list(Ctx& ctx, const Field& f);

// A path that must name a readable regular file (resolved); nullopt after an error.
[[nodiscard]] std::optional<std::string> read_existing_file(Ctx& ctx, const Field& f);

// "one of: a, b, c" for hints.
[[nodiscard]] std::string one_of(const std::vector<std::string>& names);

}  // namespace gk::config::detail

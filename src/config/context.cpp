// Typed readers over yaml-cpp nodes. They never call Node::as<>(), which
// throws and accepts more spellings than the schema does ("yes", "0x10").
#include "config/context.hpp"

#include <unistd.h>

#include <filesystem>

#include "gatekeeper/config/values.hpp"

namespace gk::config::detail {
namespace fs = std::filesystem;

namespace {

const char* type_name(const YAML::Node& n) {
    switch (n.Type()) {
        case YAML::NodeType::Map: return "a mapping";
        case YAML::NodeType::Sequence: return "a list";
        case YAML::NodeType::Scalar: return "a scalar";
        case YAML::NodeType::Null: return "nothing";
        case YAML::NodeType::Undefined: break;
    }
    return "nothing";
}

}  // namespace

void Ctx::error(const YAML::Mark& at, std::string message, std::string hint) {
    // yaml-cpp counts from 0 and uses -1 for "no position".
    ConfigError e;
    e.file = file;
    e.line = at.line >= 0 ? at.line + 1 : 0;
    e.column = at.column >= 0 ? at.column + 1 : 0;
    e.message = std::move(message);
    e.hint = std::move(hint);
    errors.push_back(std::move(e));
}

std::string Ctx::resolve(std::string_view path) const {
    fs::path p{std::string(path)};
    if (p.is_relative() && !base_dir.empty()) p = fs::path(base_dir) / p;
    return p.lexically_normal().string();
}

YAML::Mark Field::mark() const {
    return (value.IsNull() || !value.IsDefined()) ? key_mark : value.Mark();
}

Fields::Fields(Ctx& ctx, const YAML::Node& map, std::initializer_list<std::string_view> known) {
    std::vector<std::string> names(known.begin(), known.end());
    for (auto& f : entries(ctx, map)) {
        bool ok = false;
        for (auto k : known) ok = ok || k == f.key;
        if (!ok) {
            const std::string guess = closest(f.key, names);
            ctx.error(f.key_mark, "unknown key '" + f.key + "'",
                      guess.empty() ? "known keys here: " + one_of(names) : "did you mean '" + guess + "'?");
            continue;
        }
        fields_.push_back(std::move(f));
    }
}

const Field* Fields::get(std::string_view key) const {
    for (const auto& f : fields_)
        if (f.key == key) return &f;
    return nullptr;
}

std::vector<Field> entries(Ctx& ctx, const YAML::Node& map) {
    std::vector<Field> out;
    if (!map.IsMap()) return out;
    for (auto it = map.begin(); it != map.end(); ++it) {
        const YAML::Node k = it->first;  // a copy: it-> returns a temporary in yaml-cpp 0.7
        if (!k.IsScalar()) {
            ctx.error(k.Mark(), "keys must be plain strings, not " + std::string(type_name(k)));
            continue;
        }
        bool dup = false;
        for (const auto& f : out) dup = dup || f.key == k.Scalar();
        if (dup) {
            // yaml-cpp keeps both entries; which one wins would be an accident.
            ctx.error(k.Mark(), "duplicate key '" + k.Scalar() + "'", "each key may appear once per mapping");
            continue;
        }
        out.push_back(Field{k.Scalar(), k.Mark(), it->second});
    }
    return out;
}

bool expect_map(Ctx& ctx, const YAML::Node& n, std::string_view what) {
    if (n.IsMap()) return true;
    ctx.error(n.Mark(), std::string(what) + " must be a mapping (key: value), not " + type_name(n));
    return false;
}

bool expect_map(Ctx& ctx, const Field& f) {
    if (f.value.IsMap()) return true;
    ctx.error(f.mark(), "'" + f.key + "' must be a mapping (key: value), not " + type_name(f.value));
    return false;
}

std::optional<std::string> read_string(Ctx& ctx, const YAML::Node& n, const YAML::Mark& at, std::string_view what) {
    if (n.IsScalar()) return n.Scalar();
    ctx.error(at, std::string(what) + " must be a string, not " + type_name(n));
    return std::nullopt;
}

std::optional<std::string> read_string(Ctx& ctx, const Field& f) {
    return read_string(ctx, f.value, f.mark(), "'" + f.key + "'");
}

std::optional<bool> read_bool(Ctx& ctx, const Field& f) {
    auto s = read_string(ctx, f);
    if (!s) return std::nullopt;
    if (*s == "true" || *s == "True" || *s == "TRUE") return true;
    if (*s == "false" || *s == "False" || *s == "FALSE") return false;
    ctx.error(f.mark(), "'" + f.key + "' must be true or false, not '" + *s + "'", "write true or false");
    return std::nullopt;
}

std::optional<std::uint64_t> read_uint(Ctx& ctx, const Field& f, std::uint64_t min, std::uint64_t max) {
    auto s = read_string(ctx, f);
    if (!s) return std::nullopt;
    const std::string range = std::to_string(min) + ".." + std::to_string(max);
    std::uint64_t n = 0;
    bool ok = !s->empty() && s->size() <= 20;
    for (char c : *s) {
        if (!ok) break;
        const auto digit = static_cast<std::uint64_t>(c - '0');
        if (c < '0' || c > '9' || n > (UINT64_MAX - digit) / 10) ok = false;
        else n = n * 10 + digit;
    }
    if (!ok) {
        ctx.error(f.mark(), "'" + f.key + "' must be a whole number, not '" + *s + "'", "a number in " + range);
        return std::nullopt;
    }
    if (n < min || n > max) {
        ctx.error(f.mark(), "'" + f.key + "' is " + *s + ", out of range", "a number in " + range);
        return std::nullopt;
    }
    return n;
}

std::optional<std::chrono::milliseconds> read_duration(Ctx& ctx, const Field& f) {
    auto s = read_string(ctx, f);
    if (!s) return std::nullopt;
    auto d = parse_duration(*s);
    if (!d) {
        ctx.error(f.mark(), "'" + f.key + "': " + d.error().message, d.error().hint);
        return std::nullopt;
    }
    if (d->count() == 0) {
        ctx.error(f.mark(), "'" + f.key + "' must be longer than zero", "e.g. 500ms or 10s");
        return std::nullopt;
    }
    return *d;
}

std::optional<std::vector<Item>> read_string_list(Ctx& ctx, const Field& f) {
    if (f.value.IsScalar()) return std::vector<Item>{Item{f.value.Scalar(), f.value.Mark()}};
    if (!f.value.IsSequence()) {
        ctx.error(f.mark(), "'" + f.key + "' must be a string or a list of strings, not " + type_name(f.value));
        return std::nullopt;
    }
    std::vector<Item> out;
    bool ok = true;
    for (const auto& item : f.value) {
        if (!item.IsScalar()) {
            ctx.error(item.Mark(), "items of '" + f.key + "' must be strings, not " + type_name(item));
            ok = false;
            continue;
        }
        out.push_back(Item{item.Scalar(), item.Mark()});
    }
    if (!ok) return std::nullopt;
    return out;
}

std::optional<std::string> read_existing_file(Ctx& ctx, const Field& f) {
    auto s = read_string(ctx, f);
    if (!s) return std::nullopt;
    if (s->empty()) {
        ctx.error(f.mark(), "'" + f.key + "' must not be empty", "give a file path");
        return std::nullopt;
    }
    std::string path = ctx.resolve(*s);
    std::error_code ec;
    const bool regular = fs::is_regular_file(path, ec);
    if (!regular || ::access(path.c_str(), R_OK) != 0) {
        ctx.error(f.mark(), "'" + f.key + "': cannot read file " + path,
                  regular ? "check its permissions"
                          : "check the path; relative paths start at the config file's folder");
        return std::nullopt;
    }
    return path;
}

std::string one_of(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
    return out.empty() ? "(none)" : out;
}

}  // namespace gk::config::detail

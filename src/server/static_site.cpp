#include "server/static_site.hpp"

#include <array>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>
#include <utility>

namespace gk::server {
namespace {

namespace fs = std::filesystem;

// Not a security hash: a validator that changes when the content does.
std::string content_etag(std::string_view body) {
    std::uint64_t h = 14695981039346656037ull;
    for (unsigned char c : body) {
        h ^= c;
        h *= 1099511628211ull;
    }
    char out[40];
    std::snprintf(out, sizeof out, "\"%016llx-%zx\"", static_cast<unsigned long long>(h), body.size());
    return out;
}

bool hidden(const fs::path& relative) {
    for (const auto& part : relative)
        if (part.native().starts_with('.')) return true;
    return false;
}

Result<std::string, std::string> read_file(const fs::path& p, std::size_t max_bytes) {
    std::ifstream in(p, std::ios::binary);
    if (!in) return fail("cannot read " + p.string());
    std::string body;
    std::array<char, 16384> chunk{};
    while (in) {
        in.read(chunk.data(), chunk.size());
        body.append(chunk.data(), static_cast<std::size_t>(in.gcount()));
        if (body.size() > max_bytes)
            return fail(p.string() + " is larger than " + std::to_string(max_bytes >> 20) + " MiB");
    }
    if (in.bad()) return fail("cannot read " + p.string());
    return body;
}

bool names_a_file_type(std::string_view relative) {
    const auto slash = relative.rfind('/');
    const auto last = slash == std::string_view::npos ? relative : relative.substr(slash + 1);
    return last.find('.') != std::string_view::npos;
}

}  // namespace

std::string_view content_type_for(std::string_view name) {
    static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
        {".html", "text/html; charset=utf-8"},   {".htm", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"}, {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},     {".json", "application/json"},
        {".map", "application/json"},            {".txt", "text/plain; charset=utf-8"},
        {".svg", "image/svg+xml"},               {".png", "image/png"},
        {".jpg", "image/jpeg"},                  {".jpeg", "image/jpeg"},
        {".gif", "image/gif"},                   {".webp", "image/webp"},
        {".ico", "image/vnd.microsoft.icon"},    {".woff2", "font/woff2"},
        {".wasm", "application/wasm"},           {".webmanifest", "application/manifest+json"},
    };
    const auto dot = name.rfind('.');
    if (dot == std::string_view::npos) return "application/octet-stream";
    const auto ext = name.substr(dot);
    for (const auto& [e, type] : kTypes)
        if (ext.size() == e.size() && std::equal(ext.begin(), ext.end(), e.begin(), [](char a, char b) {
                return (a >= 'A' && a <= 'Z' ? a + 32 : a) == b;
            }))
            return type;
    return "application/octet-stream";
}

Result<std::shared_ptr<const StaticSite>, std::string> StaticSite::load(const gate::StaticFiles& config,
                                                                        const StaticLimits& limits) {
    const fs::path root(config.root);
    std::error_code ec;
    if (!fs::is_directory(root, ec)) return fail("static folder " + config.root + " is not a folder");
    auto site = std::make_shared<StaticSite>();
    site->csp_ = config.csp;
    std::size_t total = 0;
    // Symbolic links to folders are not followed: the folder is what it holds.
    fs::recursive_directory_iterator it(root, fs::directory_options::none, ec), end;
    if (ec) return fail("cannot list " + config.root + ": " + ec.message());
    for (; it != end; it.increment(ec)) {
        if (ec) return fail("cannot list " + config.root + ": " + ec.message());
        const auto relative = it->path().lexically_relative(root);
        const auto st = it->symlink_status(ec);
        if (ec) return fail("cannot read " + it->path().string() + ": " + ec.message());
        if (hidden(relative)) {
            if (fs::is_directory(st)) it.disable_recursion_pending();
            continue;
        }
        if (!fs::is_regular_file(st)) continue;  // links, sockets, devices
        if (site->files_.size() >= limits.max_files)
            return fail("static folder " + config.root + " holds more than " + std::to_string(limits.max_files) +
                        " files");
        auto body = read_file(it->path(), limits.max_file_bytes);
        if (!body) return fail(body.error());
        total += body->size();
        if (total > limits.max_total_bytes)
            return fail("static folder " + config.root + " holds more than " +
                        std::to_string(limits.max_total_bytes >> 20) + " MiB");
        StaticFile f;
        f.content_type = std::string(content_type_for(relative.filename().native()));
        f.etag = content_etag(*body);
        f.body = std::move(*body);
        site->files_.emplace(relative.generic_string(), std::move(f));
    }
    if (!config.fallback.empty()) {
        auto found = site->files_.find(config.fallback);
        if (found == site->files_.end())
            return fail("static fallback " + config.fallback + " is not a file in " + config.root);
        site->fallback_ = &found->second;
    }
    return std::shared_ptr<const StaticSite>(std::move(site));
}

const StaticFile* StaticSite::find(std::string_view relative) const {
    std::string key(relative);
    if (key.empty() || key.ends_with('/')) key += "index.html";
    if (auto it = files_.find(key); it != files_.end()) return &it->second;
    if (!names_a_file_type(relative)) return fallback_;
    return nullptr;
}

std::string_view path_below_route(const gate::Route& route, std::string_view path) {
    if (route.path.kind == gate::PathMatchKind::prefix && path.size() >= route.path.value.size())
        path.remove_prefix(route.path.value.size());
    while (path.starts_with('/')) path.remove_prefix(1);
    return path;
}

string_response static_response(const StaticSite& site, const gate::Request& req, std::string_view relative,
                                std::string_view accept, unsigned version) {
    if (req.method != "GET" && req.method != "HEAD") {
        auto res = error_response(http::status::method_not_allowed, "Only GET and HEAD are served here.", accept,
                                  version);
        res.set(http::field::allow, "GET, HEAD");
        return res;
    }
    const StaticFile* f = site.find(relative);
    if (!f) return error_response(http::status::not_found, "No such file.", accept, version);
    string_response res{http::status::ok, version};
    res.set(http::field::etag, f->etag);
    res.set(http::field::cache_control, "no-cache");  // revalidate: the ETag makes that cheap
    res.set("X-Content-Type-Options", "nosniff");
    res.set("Referrer-Policy", "same-origin");
    if (!site.csp().empty()) res.set("Content-Security-Policy", site.csp());
    if (auto inm = req.get("If-None-Match"); inm && (inm->find(f->etag) != std::string_view::npos || *inm == "*")) {
        res.result(http::status::not_modified);
        return res;
    }
    res.set(http::field::content_type, f->content_type);
    if (req.method == "HEAD") {
        res.content_length(f->body.size());
        return res;
    }
    res.body() = f->body;
    res.prepare_payload();
    return res;
}

}  // namespace gk::server

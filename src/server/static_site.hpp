#pragma once
// Files a route serves itself (`static:` instead of an upstream), like
// nginx's `root`: the demo's single-page app, a status page, assets.
//
// The whole folder is read into memory when the config is loaded (and again
// on SIGHUP), so a request never touches the disk, never blocks an I/O
// thread, and can only name a file that was there at load: a path such as
// /spa/../../etc/passwd has nothing to match. Symbolic links, dot files and
// anything but regular files are left out; the sizes are bounded.
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "gatekeeper/common/result.hpp"
#include "gatekeeper/gate/request.hpp"
#include "gatekeeper/gate/route.hpp"
#include "server/decision_response.hpp"

namespace gk::server {

struct StaticFile {
    std::string body;
    std::string content_type;
    std::string etag;  // strong, from the content
};

struct StaticLimits {
    std::size_t max_files = 4096;
    std::size_t max_file_bytes = 8u << 20;
    std::size_t max_total_bytes = 64u << 20;
};

class StaticSite {
public:
    // Errors name the folder or file and the limit.
    static Result<std::shared_ptr<const StaticSite>, std::string> load(const gate::StaticFiles& config,
                                                                       const StaticLimits& limits = {});

    // `relative`: the request path after the route's prefix, without a
    // leading '/'. "" and "dir/" mean their index.html. An unknown path that
    // names no file type (no '.' in its last segment, like /spa/callback)
    // gets the fallback file when one is configured: client-side routing.
    [[nodiscard]] const StaticFile* find(std::string_view relative) const;

    [[nodiscard]] std::size_t file_count() const noexcept { return files_.size(); }
    [[nodiscard]] const std::string& csp() const noexcept { return csp_; }

private:
    std::unordered_map<std::string, StaticFile> files_;
    const StaticFile* fallback_ = nullptr;
    std::string csp_;
};

// The content type for a file name, by extension; application/octet-stream
// for the unknown (with nosniff, a browser will not guess).
std::string_view content_type_for(std::string_view file_name);

// GET and HEAD only (405 otherwise); 304 for a matching If-None-Match; 404
// for an unknown path. `relative` as for find().
string_response static_response(const StaticSite& site, const gate::Request& req, std::string_view relative,
                                std::string_view accept, unsigned version);

// The part of `path` below the route: "/spa/app.js" on prefix /spa/ -> "app.js".
std::string_view path_below_route(const gate::Route& route, std::string_view path);

}  // namespace gk::server

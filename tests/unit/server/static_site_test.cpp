// StaticSite: what a `static:` route can ever answer is fixed when the folder
// is read, so the lookups below are the whole attack surface.
#include "server/static_site.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "../config/temp_dir.hpp"

namespace gk::server {
namespace {

using config::test::TempDir;
namespace fs = std::filesystem;

struct Site {
    TempDir dir;
    Site() {
        fs::create_directories(dir.file("sub"));
        fs::create_directories(dir.file(".git"));
        dir.write("index.html", "<h1>home</h1>");
        dir.write("app.js", "js");
        dir.write("sub/index.html", "sub home");
        dir.write("sub/style.CSS", "css");
        dir.write(".env", "secret");
        dir.write(".git/config", "secret");
        dir.write("noext", "plain");
        fs::create_symlink("/etc/hostname", dir.file("link.txt"));
        fs::create_directory_symlink("/etc", dir.file("etc"));
    }
    std::shared_ptr<const StaticSite> load(std::string fallback = "", StaticLimits limits = {}) {
        auto s = StaticSite::load(gate::StaticFiles{dir.str(), std::move(fallback), ""}, limits);
        EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error());
        return s.ok() ? *s : nullptr;
    }
};

struct Lookup {
    const char* relative;
    const char* body;  // nullptr: no answer
};

TEST(StaticSite, OnlyRegularVisibleFilesInsideTheFolderAreFound) {
    Site s;
    auto site = s.load();
    ASSERT_TRUE(site);
    EXPECT_EQ(site->file_count(), 5u) << "index.html app.js sub/index.html sub/style.CSS noext";
    const Lookup table[] = {
        {"", "<h1>home</h1>"},      {"index.html", "<h1>home</h1>"}, {"app.js", "js"},
        {"sub/", "sub home"},       {"sub/style.CSS", "css"},        {"noext", "plain"},
        {".env", nullptr},          {".git/config", nullptr},        {"link.txt", nullptr},
        {"etc/hostname", nullptr},  {"../etc/hostname", nullptr},    {"sub/../app.js", nullptr},
        {"/etc/hostname", nullptr}, {"sub", nullptr},                {"missing.js", nullptr},
        {"APP.JS", nullptr},        {"app.js/", nullptr},            {"app.js%00", nullptr},
    };
    for (const auto& row : table) {
        const auto* f = site->find(row.relative);
        if (row.body == nullptr) {
            EXPECT_EQ(f, nullptr) << row.relative;
        } else {
            ASSERT_NE(f, nullptr) << row.relative;
            EXPECT_EQ(f->body, row.body) << row.relative;
        }
    }
}

TEST(StaticSite, FallbackOnlyForPathsWithoutAFileType) {
    Site s;
    auto site = s.load("index.html");
    ASSERT_TRUE(site);
    for (const char* route : {"callback", "users/42", "sub/deeper/page"}) {
        const auto* f = site->find(route);
        ASSERT_NE(f, nullptr) << route;
        EXPECT_EQ(f->body, "<h1>home</h1>") << route;
    }
    EXPECT_EQ(site->find("missing.js"), nullptr) << "a missing asset stays a 404";
    EXPECT_EQ(site->find("sub/missing.css"), nullptr);
}

TEST(StaticSite, TypesEtagsAndLimits) {
    Site s;
    auto site = s.load();
    ASSERT_TRUE(site);
    EXPECT_EQ(site->find("sub/style.CSS")->content_type, "text/css; charset=utf-8") << "extension case ignored";
    EXPECT_EQ(site->find("noext")->content_type, "application/octet-stream");
    EXPECT_EQ(content_type_for("a.mjs"), "text/javascript; charset=utf-8");
    EXPECT_EQ(content_type_for("a.svg"), "image/svg+xml");
    EXPECT_NE(site->find("")->etag, site->find("app.js")->etag);
    EXPECT_EQ(site->find("")->etag, site->find("index.html")->etag);

    auto too_many = StaticSite::load(gate::StaticFiles{s.dir.str(), "", ""}, StaticLimits{4, 1 << 20, 1 << 20});
    ASSERT_FALSE(too_many.ok());
    EXPECT_NE(too_many.error().find("more than 4 files"), std::string::npos) << too_many.error();
    auto too_big = StaticSite::load(gate::StaticFiles{s.dir.str(), "", ""}, StaticLimits{100, 8, 1 << 20});
    ASSERT_FALSE(too_big.ok());
    EXPECT_NE(too_big.error().find("larger than"), std::string::npos) << too_big.error();
    auto no_fallback = StaticSite::load(gate::StaticFiles{s.dir.str(), "spa.html", ""});
    ASSERT_FALSE(no_fallback.ok());
    EXPECT_NE(no_fallback.error().find("spa.html"), std::string::npos);
    auto no_folder = StaticSite::load(gate::StaticFiles{s.dir.file("nowhere"), "", ""});
    ASSERT_FALSE(no_folder.ok());
}

TEST(StaticSite, PathBelowThePrefixRoute) {
    gate::Route r;
    r.path = gate::PathMatch{gate::PathMatchKind::prefix, "/spa/", nullptr};
    EXPECT_EQ(path_below_route(r, "/spa/app.js"), "app.js");
    EXPECT_EQ(path_below_route(r, "/spa/"), "");
    r.path.value = "/spa";
    EXPECT_EQ(path_below_route(r, "/spa/x/y.js"), "x/y.js");
    EXPECT_EQ(path_below_route(r, "/spa"), "");
    r.path = gate::PathMatch{gate::PathMatchKind::exact, "/status.html", nullptr};
    EXPECT_EQ(path_below_route(r, "/status.html"), "status.html");
}

}  // namespace
}  // namespace gk::server

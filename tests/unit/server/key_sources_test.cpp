// KeySources: key files (load, reload on change, a broken new file keeps the
// last good keys) and remote JWKS against a real local HTTPS server (python3
// http.server + ssl, a certificate made with the openssl CLI at test time,
// stopped by PID): first fetch, max-age refresh, unknown-kid rate limit under
// a flood, server down, certificate refused, discovery, bad responses,
// time-outs. Every wait is bounded; intervals are 1 s.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/base_sink.h>

#include "gatekeeper/crypto/key.hpp"
#include "gatekeeper/jose/jwk.hpp"
#include "server/https_get.hpp"
#include "server/jwks_keys.hpp"
#include "server/key_sources.hpp"

extern char** environ;

namespace gk::server {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;
using Kind = gate::JwksSource::Kind;

// ------------------------------------------------------------------ helpers

class TempDir {
public:
    TempDir() {
        static std::atomic<unsigned> counter{0};
        path_ = std::filesystem::temp_directory_path() /
                ("gk-keysrc-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] std::string file(const std::string& name) const { return (path_ / name).string(); }
    // Written beside and renamed into place: a reader never sees half a file.
    std::string write(const std::string& name, const std::string& content) const {
        const auto tmp = file(name + ".tmp");
        std::ofstream(tmp, std::ios::binary | std::ios::trunc) << content;
        std::filesystem::rename(tmp, file(name));
        return file(name);
    }

private:
    std::filesystem::path path_;
};

class LineSink final : public spdlog::sinks::base_sink<std::mutex> {
public:
    std::string text() {
        std::lock_guard lock(mutex_);
        return text_;
    }

protected:
    void sink_it_(const spdlog::details::log_msg& m) override {
        text_.append(m.payload.data(), m.payload.size());
        text_ += '\n';
    }
    void flush_() override {}

private:
    std::string text_;
};

struct TestLog {
    std::shared_ptr<LineSink> sink = std::make_shared<LineSink>();
    std::shared_ptr<spdlog::logger> log = [this] {
        auto l = std::make_shared<spdlog::logger>("key-sources-test", sink);
        l->set_level(spdlog::level::trace);
        return l;
    }();
    std::string text() const { return sink->text(); }
    // GK_TEST_LOG=1 shows what the sources logged, for a look at the lines.
    ~TestLog() {
        if (std::getenv("GK_TEST_LOG")) std::fputs(text().c_str(), stderr);
    }
};

jose::Jwk ec_jwk(const std::string& kid) {
    jose::Jwk j;
    j.key = crypto::Key::generate_ec(crypto::Curve::p256);
    j.kid = kid;
    return j;
}

std::string jwks_of(const std::vector<jose::Jwk>& keys, bool with_private = false) {
    return jose::to_json(jose::JwkSet(keys), with_private);
}

gate::BearerIssuer make_issuer(Kind kind, const std::string& location) {
    gate::BearerIssuer is;
    is.name = "corp";
    is.issuer = "https://id.example.test/";
    is.line = 7;
    is.jwks.kind = kind;
    is.jwks.location = location;
    is.jwks.refresh = 300s;
    is.jwks.min_refresh_interval = 1s;
    is.jwks.fetch_timeout = 3000ms;
    return is;
}

gate::Policy policy_with(gate::BearerIssuer is) {
    gate::Policy p;
    p.issuers.push_back(std::move(is));
    return p;
}

gate::KeySource& source(const KeySources& ks, const std::string& name = "corp") {
    return *ks.by_issuer().at(name);
}

// Polls `done` (ticking `ks` as the server's control thread would) until it
// holds or `limit` passes.
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit,
                KeySources* ks = nullptr) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
        if (ks) ks->tick();
        if (done()) return true;
        std::this_thread::sleep_for(50ms);
    }
    return done();
}

void tick_for(KeySources& ks, std::chrono::milliseconds d) {
    eventually([] { return false; }, d, &ks);
}

std::size_t key_count(const gate::KeySource& s) {
    auto k = s.keys();
    return k ? k->keys().size() : 0;
}

bool has_kid(const gate::KeySource& s, std::string_view kid) {
    auto k = s.keys();
    return k && k->has_kid(kid);
}

// ------------------------------------------------------------------ a local HTTPS JWKS server

std::string python() { return std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3"; }

constexpr const char* kServerScript = R"PY(
import http.server, os, ssl, sys
root, cert, key = sys.argv[1], sys.argv[2], sys.argv[3]
FILES = {"/jwks.json": "jwks.json", "/.well-known/openid-configuration": "discovery.json"}

class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a):
        pass
    def do_GET(self):
        path = self.path.split("?", 1)[0]
        with open(os.path.join(root, "requests.log"), "a") as f:
            f.write(path + "\n")
        name = FILES.get(path)
        body = None
        if name:
            try:
                with open(os.path.join(root, name), "rb") as f:
                    body = f.read()
            except OSError:
                pass
        if body is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        try:
            with open(os.path.join(root, name + ".cache-control")) as f:
                self.send_header("Cache-Control", f.read().strip())
        except OSError:
            pass
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

class S(http.server.ThreadingHTTPServer):
    daemon_threads = True
    def handle_error(self, request, client_address):
        pass

srv = S(("127.0.0.1", 0), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
with open(os.path.join(root, "port.tmp"), "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(os.path.join(root, "port.tmp"), os.path.join(root, "port"))
srv.serve_forever()
)PY";

struct Cert {
    std::string cert, key;
};

// Self-signed (it is its own CA), valid for `san`, made with the openssl CLI.
Cert make_cert(const TempDir& dir, const std::string& name, const std::string& san) {
    Cert c{dir.file(name + ".pem"), dir.file(name + "-key.pem")};
    const std::string cmd =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -keyout '" +
        c.key + "' -out '" + c.cert + "' -subj /CN=gatekeeper-test -addext 'subjectAltName=" + san +
        "' >/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("openssl req failed: " + cmd);
    return c;
}

class JwksServer {
public:
    explicit JwksServer(const Cert& cert) {
        dir_.write("server.py", kServerScript);
        const std::vector<std::string> argv = {python(), dir_.file("server.py"), dir_.file(""), cert.cert,
                                               cert.key};
        std::vector<char*> args;
        for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 1, dir_.file("server.out").c_str(),
                                         O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawn_file_actions_adddup2(&fa, 1, 2);
        const int rc = posix_spawnp(&pid_, args[0], &fa, nullptr, args.data(), environ);
        posix_spawn_file_actions_destroy(&fa);
        if (rc != 0) throw std::runtime_error("cannot start python3");
        const bool up = eventually([&] { return std::filesystem::exists(dir_.file("port")); }, 10000ms);
        if (!up) {
            stop();
            throw std::runtime_error("JWKS test server did not start: " + read(dir_.file("server.out")));
        }
        port_ = static_cast<std::uint16_t>(std::stoi(read(dir_.file("port"))));
    }
    ~JwksServer() { stop(); }
    JwksServer(const JwksServer&) = delete;
    JwksServer& operator=(const JwksServer&) = delete;

    void stop() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGTERM);
        int status = 0;
        for (int i = 0; i < 100; ++i) {
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                return;
            }
            std::this_thread::sleep_for(50ms);
        }
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
    }

    [[nodiscard]] std::string base() const { return "https://127.0.0.1:" + std::to_string(port_); }
    [[nodiscard]] std::string url(const std::string& path) const { return base() + path; }

    void serve(const std::string& name, const std::string& body, const std::string& cache_control = "") {
        if (cache_control.empty())
            std::filesystem::remove(dir_.file(name + ".cache-control"));
        else
            dir_.write(name + ".cache-control", cache_control);
        dir_.write(name, body);
    }
    void remove(const std::string& name) { std::filesystem::remove(dir_.file(name)); }

    // Requests the server answered for `path` (it logs each before answering).
    [[nodiscard]] int count(const std::string& path) const {
        std::istringstream in(read(dir_.file("requests.log")));
        int n = 0;
        for (std::string line; std::getline(in, line);) n += line == path ? 1 : 0;
        return n;
    }

private:
    static std::string read(const std::string& path) {
        std::ifstream in(path, std::ios::binary);
        return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    }

    TempDir dir_;
    pid_t pid_ = -1;
    std::uint16_t port_ = 0;
};

// ------------------------------------------------------------------ pure helpers

TEST(CacheMaxAge, Directives) {
    EXPECT_EQ(cache_max_age("max-age=60"), 60s);
    EXPECT_EQ(cache_max_age("public, Max-Age=\"120\", must-revalidate"), 120s);
    EXPECT_EQ(cache_max_age("no-store"), 0s);
    EXPECT_EQ(cache_max_age("public, no-cache"), 0s);
    EXPECT_EQ(cache_max_age("max-age=99999999999999999999"), std::chrono::seconds{2147483648LL});
    EXPECT_FALSE(cache_max_age(""));
    EXPECT_FALSE(cache_max_age("public"));
    EXPECT_FALSE(cache_max_age("max-age=-1"));
    EXPECT_FALSE(cache_max_age("max-age=1x"));
    EXPECT_FALSE(cache_max_age("s-maxage=5"));
}

TEST(HttpsUrl, Parse) {
    auto u = parse_https_url("https://id.example.com/realms/x/certs?a=b");
    ASSERT_TRUE(u.ok());
    EXPECT_EQ(u->host, "id.example.com");
    EXPECT_EQ(u->port, 443);
    EXPECT_EQ(u->target, "/realms/x/certs?a=b");
    EXPECT_EQ(u->display, "https://id.example.com/realms/x/certs");  // never the query

    auto v6 = parse_https_url("https://[::1]:8443");
    ASSERT_TRUE(v6.ok());
    EXPECT_EQ(v6->host, "::1");
    EXPECT_EQ(v6->port, 8443);
    EXPECT_EQ(v6->target, "/");
    EXPECT_EQ(v6->display, "https://[::1]:8443/");

    EXPECT_FALSE(parse_https_url("http://id.example.com/certs").ok());
    EXPECT_FALSE(parse_https_url("https://user:pw@id.example.com/").ok());
    EXPECT_FALSE(parse_https_url("/certs").ok());
    EXPECT_FALSE(parse_https_url("https:///certs").ok());
}

TEST(Discovery, IssuerMustMatchAndJwksUriMustBeHttps) {
    const std::string iss = "https://id.example.test/";
    auto ok = jwks_uri_from_discovery(
        R"({"issuer":"https://id.example.test/","jwks_uri":"https://id.example.test/k"})", iss);
    ASSERT_TRUE(ok.ok());
    EXPECT_EQ(*ok, "https://id.example.test/k");
    EXPECT_FALSE(jwks_uri_from_discovery(
                     R"({"issuer":"https://evil.test/","jwks_uri":"https://id.example.test/k"})", iss)
                     .ok());
    EXPECT_FALSE(jwks_uri_from_discovery(R"({"jwks_uri":"https://id.example.test/k"})", iss).ok());
    EXPECT_FALSE(jwks_uri_from_discovery(
                     R"({"issuer":"https://id.example.test/","jwks_uri":"http://id.example.test/k"})", iss)
                     .ok());
    EXPECT_FALSE(jwks_uri_from_discovery(R"({"issuer":"https://id.example.test/"})", iss).ok());
    EXPECT_FALSE(jwks_uri_from_discovery("not json", iss).ok());
}

TEST(FetchedJwks, KeysWithPrivateMaterialAreRefused) {
    auto a = ec_jwk("a"), b = ec_jwk("b");
    // b's private half published: refused; a (public) kept.
    const std::string text = R"({"keys":[)" + jose::to_json(a) + "," + jose::to_json(b, true) + "]}";
    auto r = keys_from_fetched_jwks(text);
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r->set->keys().size(), 1u);
    EXPECT_TRUE(r->set->has_kid("a"));
    EXPECT_EQ(r->refused_private, 1u);

    auto only_private = keys_from_fetched_jwks(jwks_of({b}, true));
    ASSERT_FALSE(only_private.ok());
    EXPECT_THAT(only_private.error(), HasSubstr("no usable key"));
    EXPECT_FALSE(keys_from_fetched_jwks(R"({"keys":[]})").ok());
    EXPECT_FALSE(keys_from_fetched_jwks("<html>").ok());
}

// ------------------------------------------------------------------ file sources

TEST(FileKeySource, LoadsJwksAndReloadsWhenTheFileChanges) {
    TempDir dir;
    TestLog log;
    const auto path = dir.write("jwks.json", jwks_of({ec_jwk("k1"), ec_jwk("k2")}));
    auto ks = KeySources::start(policy_with(make_issuer(Kind::file, path)), log.log);
    auto& s = source(*ks);
    EXPECT_EQ(key_count(s), 2u);
    EXPECT_EQ(s.problem(), "");
    EXPECT_THAT(log.text(),
                HasSubstr(R"("event":"jwks_loaded","issuer":"corp","source":"file","keys":2,"skipped":0)"));

    const auto before = s.keys();
    ks->tick();  // nothing changed: the same set
    EXPECT_EQ(s.keys(), before);

    dir.write("jwks.json", jwks_of({ec_jwk("k3")}));
    ks->tick();
    EXPECT_EQ(key_count(s), 1u);
    EXPECT_TRUE(has_kid(s, "k3"));

    // Rewritten in place (same inode), same length: the mtime tells.
    const auto k4 = jwks_of({ec_jwk("k4")});
    std::this_thread::sleep_for(20ms);
    std::ofstream(path, std::ios::binary | std::ios::trunc) << k4;
    ks->tick();
    EXPECT_TRUE(has_kid(s, "k4"));
}

TEST(FileKeySource, ABrokenNewFileKeepsTheLastGoodKeys) {
    TempDir dir;
    TestLog log;
    auto good = ec_jwk("good");
    const auto path = dir.write("jwks.json", jwks_of({good}));
    auto ks = KeySources::start(policy_with(make_issuer(Kind::file, path)), log.log);
    auto& s = source(*ks);
    const auto before = s.keys();

    // A private JWKS with a bad member: whatever it holds must not reach the log.
    const auto leaked = jwks_of({ec_jwk("new")}, true);
    const auto broken = leaked.substr(0, leaked.size() - 3);
    dir.write("jwks.json", broken);
    ks->tick();
    EXPECT_EQ(s.keys(), before);
    EXPECT_THAT(s.problem(), HasSubstr("keeping the last good keys"));
    const auto text = log.text();
    EXPECT_THAT(text, HasSubstr(R"("event":"jwks_load_failed","issuer":"corp")"));
    EXPECT_THAT(text, HasSubstr(R"("kept_keys":1)"));
    EXPECT_THAT(text, Not(HasSubstr(broken.substr(broken.find("\"d\"")))));  // no key material logged
    EXPECT_THAT(text, Not(HasSubstr("\"x\":")));

    // The same broken file is reported once, not on every tick.
    ks->tick();
    ks->tick();
    std::size_t failures = 0;
    for (std::size_t at = 0; (at = log.text().find("jwks_load_failed", at)) != std::string::npos; ++at)
        ++failures;
    EXPECT_EQ(failures, 1u);

    // Deleted: still the old keys. Back and valid: loaded.
    std::filesystem::remove(path);
    ks->tick();
    EXPECT_EQ(s.keys(), before);
    dir.write("jwks.json", jwks_of({ec_jwk("fixed")}));
    ks->tick();
    EXPECT_TRUE(has_kid(s, "fixed"));
    EXPECT_EQ(s.problem(), "");
}

TEST(FileKeySource, PemPublicKeyPrivateKeyOrCertificate) {
    TempDir dir;
    TestLog log;
    const auto key = crypto::Key::generate_ec(crypto::Curve::p256);
    for (const std::string& pem : {key.public_pem(), std::string(key.private_pem().reveal())}) {
        const auto path = dir.write("key.pem", "\n" + pem);
        auto ks = KeySources::start(policy_with(make_issuer(Kind::file, path)), log.log);
        auto keys = source(*ks).keys();
        ASSERT_TRUE(keys);
        ASSERT_EQ(keys->keys().size(), 1u);
        EXPECT_EQ(keys->keys()[0].kid, "");
        EXPECT_FALSE(keys->keys()[0].key.has_private());  // only the public half is kept
        EXPECT_TRUE(keys->keys()[0].can_verify(crypto::SigAlg::es256));
    }
    TempDir certs;
    const auto c = make_cert(certs, "pem", "DNS:localhost");
    auto ks = KeySources::start(policy_with(make_issuer(Kind::file, c.cert)), log.log);
    EXPECT_EQ(key_count(source(*ks)), 1u);
}

TEST(FileKeySource, MissingOrUnusableAtStartIsAnErrorNamingTheConfigLine) {
    TempDir dir;
    TestLog log;
    const std::vector<std::pair<std::string, std::string>> cases = {
        {dir.file("absent.json"), "cannot open"},
        {dir.write("empty.json", R"({"keys":[]})"), "no usable key"},
        {dir.write("junk.json", "hello"), "not a JWKS"},
        {dir.write("bad.pem", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"), "PEM"},
    };
    for (const auto& [path, why] : cases) {
        try {
            KeySources::start(policy_with(make_issuer(Kind::file, path)), log.log);
            ADD_FAILURE() << "no error for " << path;
        } catch (const std::runtime_error& e) {
            EXPECT_THAT(e.what(), HasSubstr("issuer 'corp' (config line 7): jwks_file " + path + ": "));
            EXPECT_THAT(e.what(), HasSubstr(why));
        }
    }
}

// ------------------------------------------------------------------ remote sources

class RemoteKeySourceTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        certs_ = new TempDir;
        good_ = make_cert(*certs_, "good", "IP:127.0.0.1");
        other_ = make_cert(*certs_, "other", "IP:127.0.0.1");
        wrong_name_ = make_cert(*certs_, "wrong-name", "DNS:elsewhere.test");
    }
    static void TearDownTestSuite() {
        delete certs_;
        certs_ = nullptr;
    }

    gate::BearerIssuer remote(const JwksServer& srv, const Cert& ca = good_) const {
        auto is = make_issuer(Kind::url, srv.url("/jwks.json"));
        is.jwks.ca_file = ca.cert;
        return is;
    }

    static inline TempDir* certs_ = nullptr;
    static inline Cert good_, other_, wrong_name_;
    TestLog log_;
};

TEST_F(RemoteKeySourceTest, FirstFetchIsDoneWhenStartReturns) {
    JwksServer srv(good_);
    srv.serve("jwks.json", jwks_of({ec_jwk("a"), ec_jwk("b")}));
    auto ks = KeySources::start(policy_with(remote(srv)), log_.log);
    auto& s = source(*ks);
    EXPECT_EQ(key_count(s), 2u);
    EXPECT_EQ(s.problem(), "");
    EXPECT_EQ(srv.count("/jwks.json"), 1);
    EXPECT_THAT(log_.text(), HasSubstr(R"("event":"jwks_loaded","issuer":"corp","source":"url","keys":2)"));
}

TEST_F(RemoteKeySourceTest, MaxAgeDrivesTheRefresh) {
    JwksServer srv(good_);
    srv.serve("jwks.json", jwks_of({ec_jwk("a")}), "public, max-age=1");
    auto ks = KeySources::start(policy_with(remote(srv)), log_.log);  // refresh 300 s: max-age wins
    auto& s = source(*ks);
    ASSERT_TRUE(has_kid(s, "a"));
    srv.serve("jwks.json", jwks_of({ec_jwk("b")}), "public, max-age=1");
    EXPECT_TRUE(eventually([&] { return has_kid(s, "b"); }, 3000ms, ks.get()));
    tick_for(*ks, 2200ms);
    const int n = srv.count("/jwks.json");
    EXPECT_GE(n, 3);  // start, then about once a second
    EXPECT_LE(n, 6);
}

TEST_F(RemoteKeySourceTest, WithoutMaxAgeNothingIsFetchedBeforeRefresh) {
    JwksServer srv(good_);
    srv.serve("jwks.json", jwks_of({ec_jwk("a")}));
    auto is = remote(srv);
    is.jwks.refresh = 2s;
    auto ks = KeySources::start(policy_with(is), log_.log);
    tick_for(*ks, 1200ms);
    EXPECT_EQ(srv.count("/jwks.json"), 1);
    EXPECT_TRUE(eventually([&] { return srv.count("/jwks.json") == 2; }, 2500ms, ks.get()));
}

TEST_F(RemoteKeySourceTest, AFloodOfUnknownKidsFetchesAtMostOncePerInterval) {
    JwksServer srv(good_);
    auto a = ec_jwk("a");
    srv.serve("jwks.json", jwks_of({a}));
    auto ks = KeySources::start(policy_with(remote(srv)), log_.log);
    auto& s = source(*ks);
    ASSERT_EQ(srv.count("/jwks.json"), 1);
    srv.serve("jwks.json", jwks_of({a, ec_jwk("rotated")}));

    // 1000 unknown kids from 4 threads; returns how long that took.
    auto flood = [&](int round) {
        const auto t0 = std::chrono::steady_clock::now();
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t)
            threads.emplace_back([&, t] {
                for (int i = 0; i < 250; ++i)
                    s.on_unknown_kid("random-" + std::to_string(round) + "-" + std::to_string(t * 1000 + i));
            });
        for (auto& th : threads) th.join();
        return std::chrono::steady_clock::now() - t0;
    };
    // The rule: at most one fetch per interval (1 s) the flood lasts, however many kids.
    auto intervals = [](std::chrono::steady_clock::duration d) {
        return static_cast<int>(std::chrono::ceil<std::chrono::seconds>(d).count());
    };

    // Right after the first fetch: the refetch waits for the interval, then
    // happens once and brings the rotated key.
    const auto d1 = flood(1);
    EXPECT_TRUE(eventually([&] { return has_kid(s, "rotated"); }, 3000ms, ks.get()));
    tick_for(*ks, 1500ms);
    EXPECT_GE(srv.count("/jwks.json"), 2);
    EXPECT_LE(srv.count("/jwks.json"), 1 + intervals(d1)) << "flood took " << d1.count() << " ns";

    // Past the interval: one immediate fetch (a flood that outlasts it earns
    // one more, an interval later), then quiet.
    const int before = srv.count("/jwks.json");
    const auto d2 = flood(2);
    EXPECT_TRUE(eventually([&] { return srv.count("/jwks.json") > before; }, 3000ms));
    tick_for(*ks, 2500ms);
    const int after = srv.count("/jwks.json");
    EXPECT_LE(after - before, 1 + intervals(d2)) << "flood took " << d2.count() << " ns";
    tick_for(*ks, 1200ms);
    EXPECT_EQ(srv.count("/jwks.json"), after);
    EXPECT_THAT(log_.text(), HasSubstr(R"("event":"jwks_refetch","issuer":"corp","reason":"unknown_kid")"));
}

TEST_F(RemoteKeySourceTest, ServerDownKeepsTheLastGoodKeys) {
    auto srv = std::make_unique<JwksServer>(good_);
    srv->serve("jwks.json", jwks_of({ec_jwk("a")}));
    auto ks = KeySources::start(policy_with(remote(*srv)), log_.log);
    auto& s = source(*ks);
    const auto before = s.keys();
    ASSERT_TRUE(before);
    srv->stop();

    std::this_thread::sleep_for(1100ms);
    s.on_unknown_kid("new");
    ASSERT_TRUE(eventually([&] { return !s.problem().empty(); }, 5000ms));
    EXPECT_EQ(s.keys(), before);
    EXPECT_THAT(s.problem(), HasSubstr("connect"));
    EXPECT_THAT(log_.text(), HasSubstr(R"("event":"jwks_fetch_failed","issuer":"corp","source":"url")"));
    EXPECT_THAT(log_.text(), HasSubstr(R"("kept_keys":1,"retry_in_s":1)"));
}

TEST_F(RemoteKeySourceTest, UntrustedCertificateGivesNoKeys) {
    JwksServer srv(good_);
    srv.serve("jwks.json", jwks_of({ec_jwk("a")}));
    auto ks = KeySources::start(policy_with(remote(srv, other_)), log_.log);  // the wrong CA
    auto& s = source(*ks);
    EXPECT_EQ(s.keys(), nullptr);
    EXPECT_THAT(s.problem(), HasSubstr("certificate not accepted"));
    EXPECT_THAT(log_.text(), HasSubstr(R"("event":"jwks_fetch_failed")"));
    EXPECT_EQ(srv.count("/jwks.json"), 0);

    // Verification off (tests of gatekeeper only): the same server is read.
    auto is = remote(srv, other_);
    is.jwks.verify_tls = false;
    auto ks2 = KeySources::start(policy_with(is), log_.log);
    EXPECT_EQ(key_count(source(*ks2)), 1u);
}

TEST_F(RemoteKeySourceTest, CertificateForAnotherNameIsRefused) {
    JwksServer srv(wrong_name_);
    srv.serve("jwks.json", jwks_of({ec_jwk("a")}));
    auto ks =
        KeySources::start(policy_with(remote(srv, wrong_name_)), log_.log);  // trusted, but not 127.0.0.1
    auto& s = source(*ks);
    EXPECT_EQ(s.keys(), nullptr);
    EXPECT_THAT(s.problem(), HasSubstr("mismatch"));
    EXPECT_EQ(srv.count("/jwks.json"), 0);
}

TEST_F(RemoteKeySourceTest, DiscoveryFindsTheJwksUri) {
    JwksServer srv(good_);
    srv.serve("jwks.json", jwks_of({ec_jwk("a")}));
    auto is = make_issuer(Kind::discovery, srv.base() + "/");
    is.issuer = srv.base() + "/";
    is.jwks.ca_file = good_.cert;
    srv.serve("discovery.json",
              R"({"issuer":")" + is.issuer + R"(","jwks_uri":")" + srv.url("/jwks.json") + R"("})");
    auto ks = KeySources::start(policy_with(is), log_.log);
    auto& s = source(*ks);
    EXPECT_TRUE(has_kid(s, "a")) << s.problem();
    EXPECT_EQ(srv.count("/.well-known/openid-configuration"), 1);
    EXPECT_EQ(srv.count("/jwks.json"), 1);

    // A document for another issuer is not followed.
    is.issuer = "https://id.example.test/";
    auto ks2 = KeySources::start(policy_with(is), log_.log);
    EXPECT_EQ(source(*ks2).keys(), nullptr);
    EXPECT_THAT(source(*ks2).problem(), HasSubstr("another issuer"));
    EXPECT_EQ(srv.count("/jwks.json"), 1);
}

TEST_F(RemoteKeySourceTest, BadResponsesGiveNoKeysAndSayWhy) {
    JwksServer srv(good_);
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"", "HTTP 404"},
        {std::string(kMaxJwksBytes + 1, ' '), "over"},
        {"<html>", "/jwks.json: not a JWKS"},
        {R"({"keys":[]})", "no usable key"},
    };
    for (const auto& [body, why] : cases) {
        if (body.empty())
            srv.remove("jwks.json");
        else
            srv.serve("jwks.json", body);
        auto ks = KeySources::start(policy_with(remote(srv)), log_.log);
        EXPECT_EQ(source(*ks).keys(), nullptr) << why;
        EXPECT_THAT(source(*ks).problem(), HasSubstr(why));
    }
}

TEST_F(RemoteKeySourceTest, ASilentServerCostsStartAtMostTheFetchTimeout) {
    // Accepts TCP connections (the kernel's backlog) but never answers TLS.
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(::listen(fd, 8), 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    auto is =
        make_issuer(Kind::url, "https://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/jwks.json");
    is.jwks.fetch_timeout = 800ms;

    const auto t0 = std::chrono::steady_clock::now();
    auto ks = KeySources::start(policy_with(is), log_.log);
    const auto took = std::chrono::steady_clock::now() - t0;
    EXPECT_LT(took, 2000ms);
    EXPECT_GE(took, 700ms);
    EXPECT_EQ(source(*ks).keys(), nullptr);
    EXPECT_THAT(source(*ks).problem(), HasSubstr("timed out"));
    ks.reset();
    ::close(fd);
}

TEST_F(RemoteKeySourceTest, NobodyListeningDoesNotHoldStart) {
    auto is = make_issuer(Kind::url, "https://127.0.0.1:1/jwks.json");
    const auto t0 = std::chrono::steady_clock::now();
    auto ks = KeySources::start(policy_with(is), log_.log);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 1000ms);
    EXPECT_EQ(source(*ks).keys(), nullptr);
    EXPECT_THAT(source(*ks).problem(), HasSubstr("connect"));
    EXPECT_THAT(log_.text(), HasSubstr(R"("kept_keys":0,"retry_in_s":1)"));
}

TEST_F(RemoteKeySourceTest, ABadCaFileIsAnErrorAtStart) {
    TempDir dir;
    auto is = make_issuer(Kind::url, "https://127.0.0.1:1/jwks.json");
    is.jwks.ca_file = dir.write("ca.pem", "not a certificate");
    try {
        KeySources::start(policy_with(is), log_.log);
        ADD_FAILURE() << "no error";
    } catch (const std::runtime_error& e) {
        EXPECT_THAT(e.what(), HasSubstr("issuer 'corp' (config line 7): "));
    }
}

}  // namespace
}  // namespace gk::server

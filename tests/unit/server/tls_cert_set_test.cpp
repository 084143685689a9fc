// The certificate set of a listener: a replaced file is loaded by the next
// look for changes; a broken one (not PEM, key mismatch, missing) keeps the
// last good certificate and is reported naming the file; a later good write
// is picked up; a required entry that cannot load refuses to start.
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "server/self_signed.hpp"
#include "server/tls_cert_set.hpp"
#include "server/tls_context.hpp"

namespace gk::server {
namespace {

namespace fs = std::filesystem;

struct X509Free {
    void operator()(X509* x) const { X509_free(x); }
};

std::unique_ptr<X509, X509Free> read_cert(const fs::path& p) {
    FILE* f = std::fopen(p.c_str(), "r");
    if (!f) return nullptr;
    std::unique_ptr<X509, X509Free> x(PEM_read_X509(f, nullptr, nullptr, nullptr));
    std::fclose(f);
    return x;
}

// Replaces `to` the way tools do (write elsewhere, rename over), so the stamp changes.
void replace_file(const fs::path& from, const fs::path& to) {
    const fs::path tmp = to.string() + ".new";
    fs::copy_file(from, tmp, fs::copy_options::overwrite_existing);
    fs::rename(tmp, to);
}

void write_text(const fs::path& to, const std::string& text) {
    const fs::path tmp = to.string() + ".new";
    std::ofstream(tmp) << text;
    fs::rename(tmp, to);
}

class CertSetTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir = fs::temp_directory_path() / ("gk-certset-" + std::to_string(::getpid()) + "-" +
                                           ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir);
        fs::create_directories(dir);
        make_self_signed((dir / "a.pem").string(), (dir / "a.key").string());
        make_self_signed((dir / "b.pem").string(), (dir / "b.key").string());
        replace_file(dir / "a.pem", dir / "cur.pem");
        replace_file(dir / "a.key", dir / "cur.key");
    }
    void TearDown() override { fs::remove_all(dir); }

    // Whether the set serves (for "" SNI) the certificate in `file`.
    bool serves(const CertSet& set, const fs::path& file) {
        auto ctx = set.pick("");
        auto want = read_cert(file);
        return ctx && want && X509_cmp(SSL_CTX_get0_certificate(ctx.get()), want.get()) == 0;
    }

    static CertSet make_set() {
        gate::Listener l;
        return CertSet([l] { return SslCtxPtr(new_server_ctx(l).release(), SslCtxFree{}); });
    }

    fs::path dir;
    gate::TlsCertificate entry() const { return {(dir / "cur.pem").string(), (dir / "cur.key").string(), 0}; }
};

TEST_F(CertSetTest, ReplacedFilesAreLoadedAndOldContextStaysUsable) {
    CertSet set = make_set();
    EXPECT_TRUE(set.add(entry(), true).empty());
    ASSERT_TRUE(serves(set, dir / "a.pem"));
    SslCtxPtr held = set.pick("");  // what an open connection holds
    EXPECT_TRUE(set.reload_changed().empty()) << "nothing changed";

    replace_file(dir / "b.key", dir / "cur.key");
    replace_file(dir / "b.pem", dir / "cur.pem");
    const auto events = set.reload_changed();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_FALSE(events[0].error) << events[0].text;
    EXPECT_TRUE(serves(set, dir / "b.pem"));
    auto a = read_cert(dir / "a.pem");
    EXPECT_EQ(X509_cmp(SSL_CTX_get0_certificate(held.get()), a.get()), 0);
}

TEST_F(CertSetTest, BrokenReplacementKeepsTheOldOneUntilAGoodWrite) {
    CertSet set = make_set();
    (void)set.add(entry(), true);
    struct Case {
        const char* what;
        std::function<void()> breakit;
        const char* names;  // the file the error must name
    } cases[] = {
        {"cert not PEM", [&] { write_text(dir / "cur.pem", "not a certificate\n"); }, "cur.pem"},
        {"key of another cert", [&] { replace_file(dir / "b.key", dir / "cur.key"); }, "cur.key"},
        {"key file gone", [&] { fs::remove(dir / "cur.key"); }, "cur.key"},
        {"key not PEM", [&] { write_text(dir / "cur.key", "-----BEGIN PRIVATE KEY-----\nAAAA\n"); }, "cur.key"},
    };
    for (const auto& c : cases) {
        replace_file(dir / "a.pem", dir / "cur.pem");
        replace_file(dir / "a.key", dir / "cur.key");
        (void)set.reload_changed();
        ASSERT_TRUE(serves(set, dir / "a.pem")) << c.what;
        c.breakit();
        const auto events = set.reload_changed();
        ASSERT_EQ(events.size(), 1u) << c.what;
        EXPECT_TRUE(events[0].error) << c.what;
        EXPECT_NE(events[0].text.find(c.names), std::string::npos) << c.what << ": " << events[0].text;
        EXPECT_NE(events[0].text.find("still serving the previous"), std::string::npos) << events[0].text;
        EXPECT_TRUE(serves(set, dir / "a.pem")) << c.what;
        EXPECT_TRUE(set.reload_changed().empty()) << c.what << ": a broken file is reported once";
    }
    // The next good write is picked up.
    replace_file(dir / "b.pem", dir / "cur.pem");
    replace_file(dir / "b.key", dir / "cur.key");
    const auto events = set.reload_changed();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_FALSE(events[0].error) << events[0].text;
    EXPECT_TRUE(serves(set, dir / "b.pem"));
}

TEST_F(CertSetTest, ReloadAllReadsUnchangedFilesToo) {
    CertSet set = make_set();
    (void)set.add(entry(), true);
    const auto events = set.reload_all();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_FALSE(events[0].error);
}

TEST_F(CertSetTest, RequiredEntryThatCannotLoadThrowsNamingTheFile) {
    CertSet set = make_set();
    gate::TlsCertificate bad{(dir / "a.pem").string(), (dir / "b.key").string(), 0};
    try {
        (void)set.add(bad, true);
        FAIL() << "no exception";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("b.key"), std::string::npos) << e.what();
    }
}

TEST_F(CertSetTest, OptionalEntryIsServedOnceItsFilesAppear) {
    CertSet set = make_set();
    (void)set.add(entry(), true);
    gate::TlsCertificate later{(dir / "later.pem").string(), (dir / "later.key").string(), 0};
    const auto first = set.add(later, false);
    ASSERT_EQ(first.size(), 1u);
    EXPECT_TRUE(first[0].error);
    EXPECT_EQ(set.loaded().size(), 1u);
    replace_file(dir / "b.key", dir / "later.key");
    replace_file(dir / "b.pem", dir / "later.pem");
    (void)set.reload_changed();
    EXPECT_EQ(set.loaded().size(), 2u);
}

}  // namespace
}  // namespace gk::server

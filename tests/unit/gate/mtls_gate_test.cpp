// The mtls scheme through the gate: identity and groups from a certificate
// the listener verified, 401 with the reason for one it did not, 403 for a
// known but unlisted identity, and its place beside other schemes.
#include <gtest/gtest.h>

#include <memory>

#include "gate/mtls_check.hpp"
#include "gatekeeper/gate/gate.hpp"
#include "gatekeeper/httpauth/challenge.hpp"

namespace gk::gate {
namespace {

std::shared_ptr<ClientCertificate> cert(std::string cn, std::vector<std::string> ou = {}) {
    auto c = std::make_shared<ClientCertificate>();
    c->verified = true;
    c->subject_cn = cn;
    c->subject = "CN=" + cn + (ou.empty() ? "" : ",OU=" + ou.front()) + ",O=Example";
    c->ou = std::move(ou);
    c->san_email = {cn + "@example.test"};
    c->san_dns = {cn + ".example.test"};
    c->san_uri = {"spiffe://example.test/" + cn};
    c->serial = "1001";
    c->thumbprint = "AAAA";
    return c;
}

std::shared_ptr<ClientCertificate> refused(CertProblem p, std::string error) {
    auto c = cert("mallory");
    c->verified = false;
    c->problem = p;
    c->error = std::move(error);
    return c;
}

struct Fixture {
    Fixture() {
        Route r;
        r.name = "certs";
        r.realm = "Certificates";
        r.path = PathMatch{PathMatchKind::prefix, "/certs/", nullptr};
        r.require = Requirement{RequireKind::authenticated, {}};
        r.schemes = {SchemeKind::mtls};
        policy.routes.push_back(r);
        Route admin = r;
        admin.name = "admin";
        admin.path.value = "/admin/";
        admin.require = Requirement{RequireKind::groups, {"admins"}};
        policy.routes.push_back(admin);
        Route either = r;
        either.name = "either";
        either.path.value = "/either/";
        either.schemes = {SchemeKind::mtls, SchemeKind::basic};
        either.user_source = "none";
        policy.routes.push_back(either);
    }
    Decision run(std::string path, std::shared_ptr<const ClientCertificate> c, std::vector<Header> headers = {}) {
        Request req;
        req.method = "GET";
        req.host = "gk.example.test";
        req.path = path;
        req.target = path;
        req.secure = true;
        req.headers = std::move(headers);
        req.client_cert = std::move(c);
        auto ev = evaluate(policy, req, dirs);
        EXPECT_TRUE(ev.decision.has_value());
        return ev.decision ? *ev.decision : Decision{};
    }
    Policy policy;
    Directories dirs;
};

TEST(MtlsIdentity, EachSourceNamesTheUser) {
    using From = MtlsSettings::IdentityFrom;
    const struct {
        From from;
        const char* user;
    } rows[] = {
        {From::subject_cn, "alice"},
        {From::subject, "CN=alice,OU=admins,O=Example"},
        {From::san_email, "alice@example.test"},
        {From::san_dns, "alice.example.test"},
        {From::san_uri, "spiffe://example.test/alice"},
    };
    for (const auto& row : rows) {
        MtlsSettings s;
        s.identity = row.from;
        auto id = detail::certificate_identity(s, *cert("alice", {"admins"}));
        ASSERT_TRUE(id) << to_string(row.from);
        EXPECT_EQ(id->user, row.user);
        EXPECT_EQ(id->email, "alice@example.test");
        EXPECT_EQ(id->scheme, "mtls");
    }
}

TEST(MtlsIdentity, AnEmptySourceIsNoUser) {
    MtlsSettings s;
    s.identity = MtlsSettings::IdentityFrom::san_email;
    auto c = cert("alice");
    c->san_email.clear();
    auto id = detail::certificate_identity(s, *c);
    ASSERT_FALSE(id);
    EXPECT_NE(id.error().find("san_email"), std::string::npos);
}

TEST(MtlsIdentity, ControlCharactersNeverBecomeNames) {
    MtlsSettings s;
    EXPECT_FALSE(detail::certificate_identity(s, *cert("alice\r\nX-Injected: 1")));
    auto c = cert("alice", {"ad\nmins"});
    EXPECT_FALSE(detail::certificate_identity(s, *c));
}

TEST(MtlsIdentity, GroupsFromOusAndTheMap) {
    const struct {
        const char* name;
        bool from_ou;
        std::map<std::string, std::vector<std::string>, std::less<>> map;
        std::vector<std::string> groups;
    } rows[] = {
        {"ou only", true, {}, {"admins", "ops"}},
        {"none", false, {}, {}},
        {"map by CN", false, {{"alice", {"staff"}}}, {"staff"}},
        {"map by DN", false, {{"CN=alice,OU=admins,O=Example", {"dn-group"}}}, {"dn-group"}},
        {"ou plus map, no duplicates", true, {{"alice", {"admins", "staff"}}}, {"admins", "ops", "staff"}},
        {"DN first, then CN", false,
         {{"alice", {"by-cn"}}, {"CN=alice,OU=admins,O=Example", {"by-dn"}}}, {"by-dn", "by-cn"}},
        {"another CN does not match", false, {{"bob", {"staff"}}}, {}},
    };
    for (const auto& row : rows) {
        MtlsSettings s;
        s.groups_from_ou = row.from_ou;
        s.group_map = row.map;
        auto id = detail::certificate_identity(s, *cert("alice", {"admins", "ops"}));
        ASSERT_TRUE(id) << row.name;
        EXPECT_EQ(id->groups, row.groups) << row.name;
    }
}

TEST(MtlsGate, Outcomes) {
    const struct {
        const char* name;
        const char* path;
        std::shared_ptr<const ClientCertificate> cert;
        Verdict verdict;
        const char* detail_has;  // in public_detail, or nullptr
    } rows[] = {
        {"verified", "/certs/x", cert("bob"), Verdict::allow, nullptr},
        {"in the group", "/admin/x", cert("alice", {"admins"}), Verdict::allow, nullptr},
        {"known, not in the group", "/admin/x", cert("bob", {"users"}), Verdict::forbid, "not allowed"},
        {"no certificate", "/certs/x", nullptr, Verdict::challenge, "none was presented"},
        {"untrusted", "/certs/x", refused(CertProblem::untrusted, "unable to get local issuer certificate"),
         Verdict::challenge, "trusted CA"},
        {"revoked", "/certs/x", refused(CertProblem::revoked, "certificate revoked"), Verdict::challenge, "revoked"},
        {"expired", "/certs/x", refused(CertProblem::expired, "certificate has expired"), Verdict::challenge,
         "expired"},
        {"revoked, on a groups route", "/admin/x", refused(CertProblem::revoked, "certificate revoked"),
         Verdict::challenge, "revoked"},
    };
    for (const auto& row : rows) {
        Fixture f;
        auto d = f.run(row.path, row.cert);
        EXPECT_EQ(d.verdict, row.verdict) << row.name << ": " << d.reason;
        if (row.detail_has) {
            EXPECT_NE(d.public_detail.find(row.detail_has), std::string::npos) << row.name;
        }
        if (row.verdict == Verdict::challenge) {
            EXPECT_EQ(d.scheme, "mtls") << row.name;
            ASSERT_EQ(d.challenges.size(), 1u) << row.name;
            EXPECT_EQ(httpauth::format_challenge(d.challenges[0]), "ClientCertificate realm=\"Certificates\"");
        }
        if (row.verdict == Verdict::allow) {
            ASSERT_TRUE(d.identity) << row.name;
            EXPECT_EQ(d.identity->scheme, "mtls");
        }
    }
}

TEST(MtlsGate, BesideBasicTheChallengesFollowTheRouteOrder) {
    Fixture f;
    auto d = f.run("/either/x", nullptr);
    EXPECT_EQ(d.verdict, Verdict::challenge);
    ASSERT_EQ(d.challenges.size(), 2u);
    EXPECT_EQ(d.challenges[0].scheme, "ClientCertificate");
    EXPECT_EQ(d.challenges[1].scheme, "Basic");
    // Not the certificate-only wording: Basic would do as well.
    EXPECT_EQ(d.public_detail.find("certificate"), std::string::npos);
}

TEST(MtlsGate, AnAuthorizationHeaderIsJudgedOnItsOwn) {
    Fixture f;
    // A certificate-only route: Basic is not accepted even with a valid certificate beside it.
    auto d = f.run("/certs/x", cert("alice"), {{"Authorization", "Basic YWxpY2U6eA=="}});
    EXPECT_EQ(d.verdict, Verdict::challenge);
}

TEST(MtlsGate, ARouteWithoutMtlsIgnoresTheCertificate) {
    Fixture f;
    f.policy.routes[0].schemes = {SchemeKind::basic};
    f.policy.routes[0].user_source = "none";
    auto d = f.run("/certs/x", cert("alice"));
    EXPECT_EQ(d.verdict, Verdict::challenge);
    EXPECT_FALSE(d.identity);
}

}  // namespace
}  // namespace gk::gate

// Browser sessions and API keys through the gate: each case a browser, a
// fetch() caller or an API client can meet, with an in-memory credential
// store standing in for the database (the SQLite store has its own tests).
#include <gtest/gtest.h>

#include <map>

#include "gatekeeper/gate/gate.hpp"
#include "gatekeeper/gate/session_lookup.hpp"
#include "gatekeeper/httpauth/challenge.hpp"
#include "gatekeeper/schemes/api_key.hpp"
#include "gatekeeper/schemes/session.hpp"

namespace gk::gate {
namespace {

using namespace std::chrono_literals;

const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
constexpr std::int64_t kNowS = 1'800'000'000;

class MemoryCredentials final : public CredentialStore {
public:
    Result<std::optional<SessionRecord>, std::string> find_session(std::string_view id_hash) const override {
        if (down) return fail(std::string("database is locked"));
        auto it = sessions.find(std::string(id_hash));
        if (it == sessions.end()) return std::optional<SessionRecord>{};
        return std::optional<SessionRecord>{it->second};
    }
    Result<std::optional<ApiKeyRecord>, std::string> find_api_key(std::string_view key_hash) const override {
        if (down) return fail(std::string("database is locked"));
        auto it = keys.find(std::string(key_hash));
        if (it == keys.end()) return std::optional<ApiKeyRecord>{};
        return std::optional<ApiKeyRecord>{it->second};
    }
    std::map<std::string, SessionRecord> sessions;
    std::map<std::string, ApiKeyRecord> keys;
    bool down = false;
};

class Users final : public UserDirectory {
public:
    UserLookup find(std::string_view name) const override {
        if (broken) return fail(std::string("store down"));
        for (const auto& u : users)
            if (u.name == name) return std::optional<UserRecord>{u};
        return std::optional<UserRecord>{};
    }
    bool healthy() const override { return true; }
    std::vector<UserRecord> users;
    bool broken = false;
};

const std::string kSessionId(43, 'A');
const std::string kOtherId(43, 'B');

struct Fixture {
    Fixture() {
        policy.sessions.user_source = "users";
        policy.sessions.idle_timeout = 1800s;
        policy.sessions.lifetime = 12h;
        Route app;
        app.name = "app";
        app.path = PathMatch{PathMatchKind::prefix, "/app/", nullptr};
        app.require = Requirement{RequireKind::authenticated, {}};
        app.schemes = {SchemeKind::session, SchemeKind::basic, SchemeKind::apikey};
        app.realm = "app";
        app.user_source = "users";
        policy.routes.push_back(app);
        Route admin = app;
        admin.name = "admin";
        admin.path.value = "/admin/";
        admin.schemes = {SchemeKind::session};
        admin.require = Requirement{RequireKind::groups, {"admins"}};
        policy.routes.push_back(admin);
        Route api = app;
        api.name = "api";
        api.path.value = "/api/";
        api.schemes = {SchemeKind::apikey};
        api.api_key_header = "X-API-Key";
        api.scopes = {ScopeRule{{"GET", "HEAD"}, {"read"}}, ScopeRule{{}, {"write"}}};
        policy.routes.push_back(api);

        auto users = std::make_shared<Users>();
        users->users = {UserRecord{"alice", "", {"admins"}, "alice@example.com", false, {}},
                        UserRecord{"bob", "", {"users"}, "bob@example.com", false, {}},
                        UserRecord{"carol", "", {"users"}, "", true, {}}};
        dirs["users"] = users;
        add_session(kSessionId, "alice", kNowS - 600, kNowS - 5);

        key = std::string(schemes::generate_api_key().reveal());
        ApiKeyRecord k;
        k.name = "ci";
        k.key_hash = schemes::api_key_hash(key);
        k.scopes = {"read"};
        creds.keys[k.key_hash] = k;
    }

    void add_session(const std::string& id, std::string user, std::int64_t created, std::int64_t last_seen) {
        SessionRecord s;
        s.id_hash = schemes::session_id_hash(id);
        s.user = std::move(user);
        s.created_at = created;
        s.last_seen = last_seen;
        s.expires_at = created + 12 * 3600;
        creds.sessions[s.id_hash] = s;
    }

    Decision run(std::string method, std::string target, std::vector<Header> headers, bool secure = false) {
        Request req;
        req.method = std::move(method);
        req.host = "gw.example.test";
        req.authority = "gw.example.test";
        const auto q = target.find('?');
        req.path = target.substr(0, q);
        if (q != std::string::npos) req.query = target.substr(q + 1);
        req.target = target;
        req.secure = secure;
        req.headers = std::move(headers);
        SchemeContext ctx;
        ctx.credentials = use_store ? &creds : nullptr;
        ctx.now = kNow;
        auto ev = evaluate(policy, req, dirs, ctx);
        EXPECT_TRUE(ev.decision.has_value());
        return ev.decision ? *ev.decision : Decision{};
    }

    Policy policy;
    Directories dirs;
    MemoryCredentials creds;
    std::string key;
    bool use_store = true;
};

const std::vector<Header> kNavigate = {{"Sec-Fetch-Mode", "navigate"}, {"Accept", "text/html"}};
const std::vector<Header> kFetch = {{"Sec-Fetch-Mode", "cors"}, {"Accept", "application/json"}};

std::vector<Header> with(std::vector<Header> h, Header extra) {
    h.push_back(std::move(extra));
    return h;
}

TEST(SessionGate, ValidSessionCookieAllowsWithTheUsersIdentity) {
    Fixture f;
    auto d = f.run("GET", "/app/x", with(kFetch, {"Cookie", "gatekeeper=" + kSessionId}));
    ASSERT_EQ(d.verdict, Verdict::allow) << d.reason;
    EXPECT_EQ(d.identity->user, "alice");
    EXPECT_EQ(d.identity->scheme, "session");
    EXPECT_EQ(d.identity->groups, std::vector<std::string>{"admins"});
    EXPECT_TRUE(d.touch_session.empty()) << "used 5 s ago: no write needed";
}

TEST(SessionGate, StaleLastSeenAsksTheCallerToRecordTheUse) {
    Fixture f;
    f.add_session(kSessionId, "alice", kNowS - 600, kNowS - 120);
    auto d = f.run("GET", "/app/x", {{"Cookie", "gatekeeper=" + kSessionId}});
    ASSERT_EQ(d.verdict, Verdict::allow);
    EXPECT_EQ(d.touch_session, schemes::session_id_hash(kSessionId));
}

TEST(SessionGate, CookieNameFollowsTheTransport) {
    Fixture f;
    // Over HTTPS only the __Host- cookie counts; over plain HTTP only the plain one.
    EXPECT_EQ(f.run("GET", "/app/", {{"Cookie", "__Host-gatekeeper=" + kSessionId}}, true).verdict,
              Verdict::allow);
    EXPECT_EQ(f.run("GET", "/app/", {{"Cookie", "gatekeeper=" + kSessionId}}, true).verdict,
              Verdict::challenge);
    EXPECT_EQ(f.run("GET", "/app/", {{"Cookie", "__Host-gatekeeper=" + kSessionId}}, false).verdict,
              Verdict::challenge);
}

struct NoSessionCase {
    const char* name;
    std::vector<Header> headers;
    Verdict expected;
};

class NoValidSession : public ::testing::TestWithParam<NoSessionCase> {};

TEST_P(NoValidSession, NavigationsGoToLoginOthersGet401) {
    Fixture f;
    f.add_session(kOtherId, "alice", kNowS - 13 * 3600, kNowS - 10);           // past its lifetime
    f.add_session(std::string(43, 'C'), "alice", kNowS - 3600, kNowS - 1801);  // idle too long
    f.add_session(std::string(43, 'D'), "carol", kNowS - 60, kNowS - 10);      // disabled user
    f.add_session(std::string(43, 'E'), "zoe", kNowS - 60, kNowS - 10);        // deleted user
    const auto& c = GetParam();
    auto d = f.run("GET", "/app/page?x=1", c.headers);
    EXPECT_EQ(d.verdict, c.expected) << c.name << ": " << d.reason;
    if (c.expected == Verdict::redirect) {
        EXPECT_EQ(d.location, "/.gatekeeper/login?rd=%2Fapp%2Fpage%3Fx%3D1");
    } else {
        EXPECT_EQ(d.login_url, "/.gatekeeper/login?rd=%2Fapp%2Fpage%3Fx%3D1")
            << "the body names the login page";
        EXPECT_FALSE(d.challenges.empty()) << "a 401 always carries a challenge";
    }
}

INSTANTIATE_TEST_SUITE_P(
    Table, NoValidSession,
    ::testing::Values(
        NoSessionCase{"no cookie, navigation", kNavigate, Verdict::redirect},
        NoSessionCase{"no cookie, fetch", kFetch, Verdict::challenge},
        NoSessionCase{"no cookie, curl", {{"Accept", "*/*"}}, Verdict::challenge},
        NoSessionCase{"no fetch metadata, HTML accept",
                      {{"Accept", "text/html,application/xhtml+xml"}},
                      Verdict::redirect},
        NoSessionCase{
            "XHR", {{"Accept", "text/html"}, {"X-Requested-With", "XMLHttpRequest"}}, Verdict::challenge},
        NoSessionCase{"unknown session", with(kNavigate, {"Cookie", "gatekeeper=" + std::string(43, 'Z')}),
                      Verdict::redirect},
        NoSessionCase{"past lifetime", with(kNavigate, {"Cookie", "gatekeeper=" + kOtherId}),
                      Verdict::redirect},
        NoSessionCase{"idle", with(kFetch, {"Cookie", "gatekeeper=" + std::string(43, 'C')}),
                      Verdict::challenge},
        NoSessionCase{"disabled user", with(kNavigate, {"Cookie", "gatekeeper=" + std::string(43, 'D')}),
                      Verdict::redirect},
        NoSessionCase{"deleted user", with(kNavigate, {"Cookie", "gatekeeper=" + std::string(43, 'E')}),
                      Verdict::redirect},
        NoSessionCase{"malformed id", with(kNavigate, {"Cookie", "gatekeeper=short"}), Verdict::redirect},
        NoSessionCase{"two session cookies (one planted)",
                      with(kNavigate, {"Cookie", "gatekeeper=" + kSessionId + "; gatekeeper=" + kOtherId}),
                      Verdict::redirect},
        NoSessionCase{"two cookie lines with the name",
                      {{"Sec-Fetch-Mode", "navigate"},
                       {"Cookie", "gatekeeper=" + kSessionId},
                       {"Cookie", "gatekeeper=" + kSessionId}},
                      Verdict::redirect}),
    [](const auto& info) {
        std::string n;
        for (char ch : std::string(info.param.name))
            n += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
        return n;
    });

TEST(SessionGate, PostNavigationIsAlsoSentToLogin) {
    Fixture f;
    auto d = f.run("POST", "/app/form", kNavigate);
    EXPECT_EQ(d.verdict, Verdict::redirect);
    EXPECT_EQ(status_of(d.verdict), 303) << "303: the login page is fetched with GET";
}

TEST(SessionGate, SessionOnlyRouteStillSendsAChallengeOn401) {
    Fixture f;
    auto d = f.run("GET", "/admin/", kFetch);
    ASSERT_EQ(d.verdict, Verdict::challenge);
    ASSERT_EQ(d.challenges.size(), 1u);
    EXPECT_EQ(d.challenges[0].scheme, "Session");
}

// A page's script must get a 401 it can read, not the browser's password
// dialog: on a session route, Basic and Digest are left out for fetch/XHR.
struct ScriptCase {
    const char* name;
    std::vector<Header> headers;
    std::vector<std::string> schemes;  // the challenges, in order
};

class ScriptRequests : public ::testing::TestWithParam<ScriptCase> {};

TEST_P(ScriptRequests, GetChallengesThatOpenNoBrowserDialog) {
    Fixture f;
    const auto& c = GetParam();
    auto d = f.run("GET", "/app/x", c.headers);
    ASSERT_EQ(d.verdict, Verdict::challenge) << c.name;
    std::vector<std::string> got;
    for (const auto& ch : d.challenges) got.push_back(ch.scheme);
    EXPECT_EQ(got, c.schemes) << c.name;
    EXPECT_FALSE(d.login_url.empty()) << c.name;
}

INSTANTIATE_TEST_SUITE_P(
    Table, ScriptRequests,
    ::testing::Values(
        ScriptCase{"fetch cors", kFetch, {"Bearer"}},
        ScriptCase{"fetch same-origin", {{"Sec-Fetch-Mode", "same-origin"}}, {"Bearer"}},
        ScriptCase{"fetch no-cors", {{"Sec-Fetch-Mode", "no-cors"}}, {"Bearer"}},
        ScriptCase{"XHR without Fetch Metadata", {{"X-Requested-With", "XMLHttpRequest"}}, {"Bearer"}},
        ScriptCase{"curl (no browser headers): every challenge", {}, {"Basic", "Bearer"}},
        ScriptCase{"API client asking for JSON", {{"Accept", "application/json"}}, {"Basic", "Bearer"}}),
    [](const auto& info) {
        std::string n;
        for (char ch : std::string(info.param.name))
            n += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
        return n;
    });

TEST(SessionGate, ScriptOnSessionAndBasicRouteGetsTheSessionChallenge) {
    Fixture f;
    f.policy.routes[0].schemes = {SchemeKind::session, SchemeKind::basic};
    auto d = f.run("GET", "/app/x", kFetch);
    ASSERT_EQ(d.verdict, Verdict::challenge);
    ASSERT_EQ(d.challenges.size(), 1u);
    EXPECT_EQ(d.challenges[0].scheme, "Session") << "a 401 still carries a challenge";
}

TEST(SessionGate, GroupsFromTheDirectoryDecide403) {
    Fixture f;
    f.add_session(kOtherId, "bob", kNowS - 60, kNowS - 10);
    EXPECT_EQ(f.run("GET", "/admin/", with(kNavigate, {"Cookie", "gatekeeper=" + kOtherId})).verdict,
              Verdict::forbid);
    EXPECT_EQ(f.run("GET", "/admin/", with(kNavigate, {"Cookie", "gatekeeper=" + kSessionId})).verdict,
              Verdict::allow);
}

TEST(SessionGate, StoreDownFailsClosed) {
    Fixture f;
    f.creds.down = true;
    EXPECT_EQ(f.run("GET", "/app/", with(kNavigate, {"Cookie", "gatekeeper=" + kSessionId})).verdict,
              Verdict::unavailable);
    f.use_store = false;
    f.creds.down = false;
    EXPECT_EQ(f.run("GET", "/app/", with(kNavigate, {"Cookie", "gatekeeper=" + kSessionId})).verdict,
              Verdict::unavailable);
}

// Regression: a user lookup that fails is 503 at once, never "user gone" (a login redirect).
TEST(SessionGate, UserLookupErrorFailsClosed) {
    Fixture f;
    std::static_pointer_cast<Users>(f.dirs["users"])->broken = true;
    EXPECT_EQ(f.run("GET", "/app/", with(kNavigate, {"Cookie", "gatekeeper=" + kSessionId})).verdict,
              Verdict::unavailable);
}

TEST(SessionGate, AbsoluteLoginUrlCarriesTheFullReturnUrl) {
    Fixture f;
    f.policy.sessions.login_path = "https://auth.example.test/.gatekeeper/login";
    auto d = f.run("GET", "/app/a", kNavigate, true);
    EXPECT_EQ(d.location,
              "https://auth.example.test/.gatekeeper/login?rd=https%3A%2F%2Fgw.example.test%2Fapp%2Fa");
}

TEST(SessionLookup, SaysWhyASessionIsNotUsable) {
    Fixture f;
    Request req;
    req.headers = {{"Cookie", "gatekeeper=" + kSessionId}};
    auto ok = lookup_session(f.policy, req, &f.creds, kNow);
    EXPECT_EQ(ok.kind, SessionLookup::Kind::valid);
    EXPECT_EQ(ok.record.user, "alice");
    auto late = lookup_session(f.policy, req, &f.creds, kNow + 12h);
    EXPECT_EQ(late.kind, SessionLookup::Kind::invalid);
    EXPECT_FALSE(late.reason.empty());
    req.headers.clear();
    EXPECT_EQ(lookup_session(f.policy, req, &f.creds, kNow).kind, SessionLookup::Kind::none);
}

// ---- API keys ---------------------------------------------------------------

TEST(ApiKeyGate, BearerApiKeyAllowsWithItsScopes) {
    Fixture f;
    auto d = f.run("GET", "/api/x", {{"Authorization", "Bearer " + f.key}});
    ASSERT_EQ(d.verdict, Verdict::allow) << d.reason;
    EXPECT_EQ(d.identity->user, "ci");
    EXPECT_EQ(d.identity->scheme, "apikey");
    EXPECT_EQ(d.identity->scopes, std::vector<std::string>{"read"});
}

TEST(ApiKeyGate, HeaderWhereTheRouteNamesOne) {
    Fixture f;
    EXPECT_EQ(f.run("GET", "/api/x", {{"X-API-Key", f.key}}).verdict, Verdict::allow);
    EXPECT_EQ(f.run("GET", "/api/x", {{"x-api-key", f.key}}).verdict, Verdict::allow)
        << "field names ignore case";
    // /app/ names no header: the header is not a credential there.
    EXPECT_EQ(f.run("GET", "/app/x", {{"X-API-Key", f.key}}).verdict, Verdict::challenge);
}

TEST(ApiKeyGate, MissingScopeIs403InsufficientScope) {
    Fixture f;
    auto d = f.run("POST", "/api/x", {{"Authorization", "Bearer " + f.key}});
    ASSERT_EQ(d.verdict, Verdict::forbid);
    ASSERT_FALSE(d.challenges.empty());
    auto* err = d.challenges[0].param("error");
    ASSERT_NE(err, nullptr);
    EXPECT_EQ(err->value, "insufficient_scope");
}

TEST(ApiKeyGate, RefusedKeysAre401InvalidToken) {
    Fixture f;
    auto typo = f.key;
    typo[10] = typo[10] == 'a' ? 'b' : 'a';
    auto revoked = std::string(schemes::generate_api_key().reveal());
    ApiKeyRecord r;
    r.name = "old";
    r.key_hash = schemes::api_key_hash(revoked);
    r.scopes = {"read"};
    r.revoked = true;
    f.creds.keys[r.key_hash] = r;
    auto expired = std::string(schemes::generate_api_key().reveal());
    r.name = "expired";
    r.key_hash = schemes::api_key_hash(expired);
    r.revoked = false;
    r.expires_at = kNowS - 1;
    f.creds.keys[r.key_hash] = r;
    const auto unknown = std::string(schemes::generate_api_key().reveal());
    for (const auto& k : {typo, revoked, expired, unknown, std::string("not-a-key")}) {
        auto d = f.run("GET", "/api/x", {{"Authorization", "Bearer " + k}});
        EXPECT_EQ(d.verdict, Verdict::challenge) << k;
        ASSERT_FALSE(d.challenges.empty());
        auto* err = d.challenges[0].param("error");
        ASSERT_NE(err, nullptr) << k;
        EXPECT_EQ(err->value, "invalid_token");
        EXPECT_EQ(d.public_detail.find("revoked"), std::string::npos) << "the client is not told why";
    }
}

TEST(ApiKeyGate, TwoCredentialsOrTwoKeysAre400) {
    Fixture f;
    EXPECT_EQ(f.run("GET", "/api/x", {{"X-API-Key", f.key}, {"X-API-Key", f.key}}).verdict,
              Verdict::bad_request);
    EXPECT_EQ(f.run("GET", "/api/x", {{"X-API-Key", f.key}, {"Authorization", "Bearer " + f.key}}).verdict,
              Verdict::bad_request);
}

TEST(ApiKeyGate, StoreDownFailsClosed) {
    Fixture f;
    f.creds.down = true;
    EXPECT_EQ(f.run("GET", "/api/x", {{"X-API-Key", f.key}}).verdict, Verdict::unavailable);
}

// Regression: a key acting as a user whose lookup fails is 503, not "user gone" (401).
TEST(ApiKeyGate, UserLookupErrorFailsClosed) {
    Fixture f;
    ApiKeyRecord r = f.creds.keys.begin()->second;
    r.user = "alice";
    f.creds.keys[r.key_hash] = r;
    std::static_pointer_cast<Users>(f.dirs["users"])->broken = true;
    EXPECT_EQ(f.run("GET", "/api/x", {{"X-API-Key", f.key}}).verdict, Verdict::unavailable);
}

TEST(ApiKeyGate, KeyActingAsAUserCarriesTheUsersGroups) {
    Fixture f;
    ApiKeyRecord r = f.creds.keys.begin()->second;
    r.user = "alice";
    f.creds.keys[r.key_hash] = r;
    auto d = f.run("GET", "/api/x", {{"X-API-Key", f.key}});
    ASSERT_EQ(d.verdict, Verdict::allow);
    EXPECT_EQ(d.identity->user, "alice");
    EXPECT_EQ(d.identity->groups, std::vector<std::string>{"admins"});
    r.user = "carol";  // disabled
    f.creds.keys[r.key_hash] = r;
    EXPECT_EQ(f.run("GET", "/api/x", {{"X-API-Key", f.key}}).verdict, Verdict::challenge);
    r.user = "ghost";  // deleted (or never there)
    f.creds.keys[r.key_hash] = r;
    EXPECT_EQ(f.run("GET", "/api/x", {{"X-API-Key", f.key}}).verdict, Verdict::challenge);
}

// ---- revocation list --------------------------------------------------------

TEST(RevocationList, RevokesUntilExpiryThenForgets) {
    RevocationList l;
    l.revoke("a", 100);
    l.revoke("b", 200);
    EXPECT_TRUE(l.is_revoked("a"));
    EXPECT_FALSE(l.is_revoked("c"));
    EXPECT_FALSE(l.is_revoked("")) << "a token without jti is never 'revoked' by accident";
    l.purge(150);
    EXPECT_FALSE(l.is_revoked("a"));
    EXPECT_TRUE(l.is_revoked("b"));
    l.replace({{"x", 300}});
    EXPECT_EQ(l.size(), 1u);
    EXPECT_TRUE(l.is_revoked("x"));
}

}  // namespace
}  // namespace gk::gate

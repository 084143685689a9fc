// The request loop of the client: send, read the 401, answer the strongest
// challenge, and the two bounded retries (Digest stale=true, Bearer
// invalid_token). No I/O of its own: the Transport does it.
#include <string>

#include "gatekeeper/client.hpp"
#include "gatekeeper/crypto/crypto.hpp"

namespace gk::client {
namespace {

using httpauth::iequals;

// Hard cap on requests per fetch: first try, answer, one retry (stale or refresh).
constexpr int kMaxAttempts = 3;

void set_authorization(Request& req, std::string value) {
    for (auto it = req.headers.begin(); it != req.headers.end();) {
        if (iequals(it->first, "Authorization"))
            it = req.headers.erase(it);
        else
            ++it;
    }
    req.headers.emplace_back("Authorization", std::move(value));
}

bool says_invalid_token(const std::vector<httpauth::Challenge>& cs) {
    for (const auto& c : cs) {
        if (!iequals(c.scheme, "Bearer")) continue;
        if (const auto* e = c.param("error"); e && e->value == "invalid_token") return true;
    }
    return false;
}

}  // namespace

std::vector<std::string> Response::all(std::string_view name) const {
    std::vector<std::string> out;
    for (const auto& [k, v] : headers) {
        if (iequals(k, name)) out.push_back(v);
    }
    return out;
}

Result<Secret, std::string> TokenCache::current() {
    std::lock_guard lock(mu_);
    if (token_) return *token_;
    if (!source_.get) return fail(std::string("no token source"));
    auto t = source_.get();
    if (!t) return t;
    token_ = *t;
    return *t;
}

Result<Secret, std::string> TokenCache::refresh_after(const Secret& rejected) {
    // The lock is held across refresh(): the other callers wait for it, then
    // see that the token changed and take the new one (single flight).
    std::lock_guard lock(mu_);
    if (token_ && !crypto::ct_equal(token_->reveal(), rejected.reveal())) return *token_;
    if (!source_.refresh) return fail(std::string("no token refresh configured"));
    ++refreshes_;
    auto t = source_.refresh();
    if (!t) {
        token_.reset();
        return t;
    }
    token_ = *t;
    return *t;
}

std::uint64_t TokenCache::refreshes() const {
    std::lock_guard lock(mu_);
    return refreshes_;
}

Client::Client(ClientOptions options, Transport transport)
    : opt_(std::move(options)), transport_(std::move(transport)) {
    if (!opt_.random) opt_.random = [](std::size_t n) { return crypto::random_bytes(n); };
    if (opt_.tokens) tokens_.emplace(*opt_.tokens);
}

std::uint64_t Client::token_refreshes() const { return tokens_ ? tokens_->refreshes() : 0; }

Result<Outcome, std::string> Client::fetch(const Request& request) {
    Outcome out;
    Request req = request;
    const Abilities can{opt_.password.has_value(), tokens_.has_value()};
    std::optional<Secret> sent_token;
    bool stale_done = false;
    bool refresh_done = false;

    // Answers one chosen challenge: sets Authorization, or says why not.
    auto answer = [&](const Chosen& ch) -> Result<Ok, std::string> {
        switch (ch.kind) {
            case SchemeChoice::digest_sha256:
            case SchemeChoice::digest_md5: {
                auto d = parse_digest_challenge(ch.challenge);
                if (!d) return fail(std::string(to_string(d.error())));
                const std::string cnonce = crypto::to_hex(opt_.random(16));
                const auto nc = nonces_.next(d->nonce);
                set_authorization(req, digest_authorization(*d, opt_.user, *opt_.password, req.method,
                                                            req.target, cnonce, nc));
                break;
            }
            case SchemeChoice::basic: {
                auto v = basic_authorization(opt_.user, *opt_.password);
                if (!v) return fail(std::string("a user name with ':' cannot be sent with Basic"));
                set_authorization(req, std::move(*v));
                break;
            }
            case SchemeChoice::bearer: {
                auto t = tokens_->current();
                if (!t) return fail("token source: " + t.error());
                set_authorization(req, bearer_authorization(*t));
                sent_token = *t;
                break;
            }
        }
        out.scheme = ch.kind;
        return Ok{};
    };

    // A program with only a token sends it at once (that is what the token is
    // for); a password is never sent before the server asks for it.
    if (tokens_ && !opt_.password) {
        if (auto a = answer(Chosen{SchemeChoice::bearer, {}}); !a) return fail(a.error());
    }

    while (true) {
        auto r = transport_(req);
        ++out.attempts;
        if (!r) return fail(r.error());
        out.response = std::move(*r);
        if (out.response.status != 401 || out.attempts >= kMaxAttempts) return out;
        const auto challenges = collect_challenges(out.response.all("WWW-Authenticate"));

        if (!out.scheme) {
            auto chosen = choose_challenge(challenges, can);
            if (!chosen) return out;
            if (auto a = answer(*chosen); !a) return fail(a.error());
            continue;
        }
        const bool sent_digest =
            *out.scheme == SchemeChoice::digest_sha256 || *out.scheme == SchemeChoice::digest_md5;
        if (sent_digest && !stale_done) {
            // Only a stale=true Digest challenge means "right password, old
            // nonce"; a plain new challenge means the password was wrong.
            std::vector<httpauth::Challenge> stale;
            for (const auto& c : challenges) {
                auto d = parse_digest_challenge(c);
                if (d && d->stale) stale.push_back(c);
            }
            if (auto chosen = choose_challenge(stale, can)) {
                stale_done = true;
                out.stale_retry = true;
                if (auto a = answer(*chosen); !a) return fail(a.error());
                continue;
            }
            return out;
        }
        if (*out.scheme == SchemeChoice::bearer && !refresh_done && sent_token && says_invalid_token(challenges)) {
            refresh_done = true;
            auto t = tokens_->refresh_after(*sent_token);
            if (!t) return fail("token refresh: " + t.error());
            set_authorization(req, bearer_authorization(*t));
            sent_token = *t;
            out.token_refreshed = true;
            continue;
        }
        return out;
    }
}

}  // namespace gk::client

#pragma once
// The client half of 401: a small library for C++ programs that call
// protected HTTP APIs. Everything here is pure (no Asio, no sockets, no
// clock): the challenge choice, the Authorization values, the Digest nonce
// counts and the retry rules. The bytes go through a Transport the caller
// supplies; the Beast one (plain TCP and TLS, verification on by default) is
// server/http_client.hpp, apart from this file so that the logic can be tested
// with a fake.
//
// The Digest math is the server's own (gatekeeper/schemes/digest.hpp): the
// client and the gate cannot disagree about a response.
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gatekeeper/common/result.hpp"
#include "gatekeeper/common/secret.hpp"
#include "gatekeeper/httpauth/challenge.hpp"
#include "gatekeeper/schemes/digest.hpp"

namespace gk::client {

// ---- choosing a challenge ----------------------------------------------------

enum class SchemeChoice { digest_sha256, digest_md5, bearer, basic };
const char* to_string(SchemeChoice) noexcept;

struct Chosen {
    SchemeChoice kind;
    httpauth::Challenge challenge;
};

// What the caller can answer with.
struct Abilities {
    bool password = false;  // a user name and password are set
    bool bearer = false;    // a token source is set
};

// Every challenge of every WWW-Authenticate field line (several lines and
// several challenges per line both occur). Lines that do not parse are
// skipped: one malformed challenge must not hide the others.
std::vector<httpauth::Challenge> collect_challenges(const std::vector<std::string>& field_values);

// The strongest challenge we can answer, or nullopt. The order:
//   Digest SHA-256  the password never leaves the client, and the hash is not broken;
//   Digest MD5      the password still never leaves, but MD5 only slows an offline
//                   guess from a captured exchange a little;
//   Bearer          (only with a token source) a revocable, short-lived, scoped
//                   token: nothing long-lived crosses the wire;
//   Basic           the password itself in every request: last, for TLS only in practice.
// Bearer ranks below Digest only when the program holds both a password and a
// token source and the server offers both: a Digest answer is bound to one
// nonce, method and URI and is useless elsewhere, while a token is a bearer
// instrument that anyone who sees it can replay until it expires.
// Digest challenges with qop lacking "auth", or with -sess / SHA-512-256
// algorithms, are not answered (we send qop=auth only, plain algorithms only).
std::optional<Chosen> choose_challenge(const std::vector<httpauth::Challenge>& challenges, Abilities can);

// ---- Authorization values ----------------------------------------------------

// "Basic base64(user:password)". Fails (nullopt) on a user name with ':' (RFC 7617 2).
std::optional<std::string> basic_authorization(std::string_view user, const Secret& password);
std::string bearer_authorization(const Secret& token);

// The parts of a Digest challenge a client needs.
struct DigestChallenge {
    std::string realm, nonce, opaque;
    schemes::DigestAlgorithm algorithm = schemes::DigestAlgorithm::md5;
    bool stale = false;
    bool userhash = false;  // offered by the server
};
enum class DigestChallengeError { not_digest, missing_realm, missing_nonce, bad_algorithm, no_qop_auth };
const char* to_string(DigestChallengeError) noexcept;
Result<DigestChallenge, DigestChallengeError> parse_digest_challenge(const httpauth::Challenge& c);

// One request's answer: `cnonce` is the caller's (random) value, `nc` >= 1.
// userhash is used when the server offers it. uri is the request-target as sent.
std::string digest_authorization(const DigestChallenge& ch, std::string_view user, const Secret& password,
                                 std::string_view method, std::string_view uri, std::string_view cnonce,
                                 std::uint32_t nc);

// nc per nonce (RFC 7616 3.4: the count of requests sent with that nonce,
// starting at 1). Thread-safe and bounded: when more than `capacity` nonces are
// known the oldest is forgotten (a server holding it will answer stale=true).
class NonceCounter {
public:
    explicit NonceCounter(std::size_t capacity = 64) : capacity_(capacity ? capacity : 1) {}
    std::uint32_t next(const std::string& nonce);

private:
    std::mutex mu_;
    std::size_t capacity_;
    std::uint64_t tick_ = 0;
    std::map<std::string, std::pair<std::uint32_t, std::uint64_t>> counts_;  // nonce -> (nc, last use)
};

// ---- Bearer tokens -------------------------------------------------------------

// get(): the current token. refresh(): a new one after the server called the
// current one invalid. Either may fail with a reason (no secret in it).
struct TokenSource {
    std::function<Result<Secret, std::string>()> get;
    std::function<Result<Secret, std::string>()> refresh;  // may be empty: then no refresh
};

// Hands out the current token and refreshes it single-flight: when several
// threads report the same token invalid at once, refresh() runs once and every
// one of them gets the new token.
class TokenCache {
public:
    explicit TokenCache(TokenSource source) : source_(std::move(source)) {}
    Result<Secret, std::string> current();
    // `rejected` is the token the server refused. If it is no longer the
    // current one, someone else already refreshed: that token is returned.
    Result<Secret, std::string> refresh_after(const Secret& rejected);
    [[nodiscard]] std::uint64_t refreshes() const;

private:
    mutable std::mutex mu_;
    TokenSource source_;
    std::optional<Secret> token_;
    std::uint64_t refreshes_ = 0;
};

// ---- the request loop ------------------------------------------------------------

struct Request {
    std::string method = "GET";
    std::string target = "/";  // origin-form, as sent (Digest's uri)
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
};

struct Response {
    unsigned status = 0;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    [[nodiscard]] std::vector<std::string> all(std::string_view name) const;
};

// One exchange; a failure is a reason without secrets.
using Transport = std::function<Result<Response, std::string>(const Request&)>;
// 32 random bytes for a cnonce (crypto::random_bytes by default; injected in tests).
using RandomSource = std::function<std::string(std::size_t)>;

struct ClientOptions {
    std::string user;
    std::optional<Secret> password;
    std::optional<TokenSource> tokens;
    RandomSource random;  // empty: the OpenSSL CSPRNG
};

// What happened, for the caller (and `gatekeeper fetch -v`): never a secret.
struct Outcome {
    Response response;
    std::optional<SchemeChoice> scheme;  // the scheme last answered with
    int attempts = 0;                    // requests sent
    bool stale_retry = false;            // a Digest stale=true was retried
    bool token_refreshed = false;        // a Bearer invalid_token was refreshed
};

// The retry rules, as a pure decision over the previous attempt:
//  - no credentials sent, 401 with a challenge we can answer: answer it;
//  - Digest sent, 401 Digest with stale=true: once more with the new nonce;
//  - Bearer sent, 401 with error="invalid_token": refresh once, then once more;
//  - anything else (200, 403, a second 401, a 401 with nothing we can answer): done.
// Redirects are returned as they are, never followed.
class Client {
public:
    Client(ClientOptions options, Transport transport);
    Result<Outcome, std::string> fetch(const Request& request);
    [[nodiscard]] std::uint64_t token_refreshes() const;

private:
    ClientOptions opt_;
    Transport transport_;
    NonceCounter nonces_;
    std::optional<TokenCache> tokens_;
};

}  // namespace gk::client

// Interoperability, both directions, generated at test time in a temporary
// directory (nothing committed): tokens signed by PyJWT (Debian python3-jwt)
// and by the `openssl` command line verify here, and tokens signed here verify
// there. Skipped when the tool is missing.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "test_tokens.hpp"

namespace gk::jose {
namespace {

using namespace test;
namespace fs = std::filesystem;

class TempDir {
public:
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "gk-jose-interop-XXXXXX").string();
        if (::mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        if (!path_.empty()) fs::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] const fs::path& path() const { return path_; }
    [[nodiscard]] std::string file(const std::string& name) const { return (path_ / name).string(); }
    void write(const std::string& name, std::string_view data) const {
        std::ofstream out(path_ / name, std::ios::binary);
        out.write(data.data(), static_cast<std::streamsize>(data.size()));
    }
    [[nodiscard]] std::string read(const std::string& name) const { return read_file(file(name)); }

private:
    fs::path path_;
};

int run(const std::string& cmd) { return std::system(cmd.c_str()); }

std::string python() { return fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3"; }

bool have_pyjwt() { return run(python() + " -c 'import jwt, cryptography' >/dev/null 2>&1") == 0; }
bool have_openssl() { return run("openssl version >/dev/null 2>&1") == 0; }

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < text.size()) {
        const std::size_t j = std::min(text.find('\n', i), text.size());
        if (j > i) out.push_back(text.substr(i, j - i));
        i = j + 1;
    }
    return out;
}

// The keys, as the other tool reads them.
void write_keys(const TempDir& d) {
    d.write("rsa.pem", keys().rsa.private_pem().reveal());
    d.write("rsa.pub", keys().rsa.public_pem());
    d.write("ec.pem", keys().p256.private_pem().reveal());
    d.write("ec.pub", keys().p256.public_pem());
    d.write("ed.pem", keys().ed.private_pem().reveal());
    d.write("ed.pub", keys().ed.public_pem());
    d.write("hs.hex", crypto::to_hex(keys().hs32.secret().reveal()));
}

JwkSet our_public_keys() {
    return JwkSet({public_of(make_jwk(keys().rsa, "rsa")), public_of(make_jwk(keys().p256, "ec")),
                   public_of(make_jwk(keys().ed, "ed")), make_jwk(keys().hs32, "hs")});
}

constexpr const char* kPySign = R"PY(
import json, sys, jwt
d = sys.argv[1]
claims = json.load(open(d + "/claims.json"))
hs = bytes.fromhex(open(d + "/hs.hex").read())
rsa = open(d + "/rsa.pem").read()
ec = open(d + "/ec.pem").read()
ed = open(d + "/ed.pem").read()
for alg, key, kid in [("HS256", hs, "hs"), ("RS256", rsa, "rsa"), ("PS256", rsa, "rsa"),
                      ("RS512", rsa, "rsa"), ("ES256", ec, "ec"), ("EdDSA", ed, "ed")]:
    print(jwt.encode(claims, key, algorithm=alg, headers={"kid": kid}))
)PY";

constexpr const char* kPyVerify = R"PY(
import sys, jwt
d = sys.argv[1]
keys = {"HS256": bytes.fromhex(open(d + "/hs.hex").read()), "RS256": open(d + "/rsa.pub").read(),
        "PS384": open(d + "/rsa.pub").read(), "ES256": open(d + "/ec.pub").read(),
        "EdDSA": open(d + "/ed.pub").read()}
opts = {"verify_exp": False, "verify_iat": False, "verify_nbf": False}
for line in open(d + "/ours.txt").read().split():
    alg = jwt.get_unverified_header(line)["alg"]
    c = jwt.decode(line, keys[alg], algorithms=[alg], audience="api", issuer="https://issuer.example", options=opts)
    assert c["sub"] == "alice", c
    print(alg, "ok")
)PY";

TEST(Interop, PyJwtTokensVerifyHere) {
    if (!have_pyjwt()) GTEST_SKIP() << "python3-jwt (with python3-cryptography) not installed";
    TempDir d;
    ASSERT_FALSE(d.path().empty());
    write_keys(d);
    d.write("claims.json", json::serialize(good_claims()));
    d.write("sign.py", kPySign);
    ASSERT_EQ(
        run(python() + " " + d.file("sign.py") + " " + d.path().string() + " > " + d.file("tokens.txt")), 0);
    const auto tokens = lines(d.read("tokens.txt"));
    ASSERT_EQ(tokens.size(), 6u);
    JwtRules rules = default_rules();
    rules.typ = "JWT";  // PyJWT writes typ JWT
    for (const auto& t : tokens) {
        SCOPED_TRACE(t);
        auto c = verify_jwt(t, our_public_keys(), rules, kNow);
        ASSERT_TRUE(c.ok()) << to_string(c.error());
        EXPECT_EQ(c->sub, "alice");
        // And PyJWT's signatures are not accepted by a stranger's key.
        const JwkSet stranger({public_of(make_jwk(keys().attacker_rsa, "rsa")),
                               public_of(make_jwk(keys().attacker_p256, "ec"))});
        EXPECT_FALSE(verify_jwt(t, stranger, rules, kNow).ok());
    }
}

TEST(Interop, OurTokensVerifyInPyJwt) {
    if (!have_pyjwt()) GTEST_SKIP() << "python3-jwt (with python3-cryptography) not installed";
    TempDir d;
    ASSERT_FALSE(d.path().empty());
    write_keys(d);
    std::string ours;
    for (SigAlg a : {SigAlg::hs256, SigAlg::rs256, SigAlg::ps384, SigAlg::es256, SigAlg::eddsa}) {
        ours +=
            sign_jws(a, signer_for(a), json::serialize(good_claims()), {.kid = "k", .typ = "JWT"}).value() +
            "\n";
    }
    d.write("ours.txt", ours);
    d.write("verify.py", kPyVerify);
    ASSERT_EQ(run(python() + " " + d.file("verify.py") + " " + d.path().string() + " > " + d.file("out.txt")),
              0);
    EXPECT_EQ(d.read("out.txt"), "HS256 ok\nRS256 ok\nPS384 ok\nES256 ok\nEdDSA ok\n");
}

// DER ECDSA-Sig-Value -> fixed-size R||S (RFC 7518 section 3.4), for what
// `openssl dgst -sign` writes.
std::string der_to_jose(std::string_view der, std::size_t size) {
    std::size_t i = 0;
    auto byte = [&] { return i < der.size() ? static_cast<unsigned char>(der[i++]) : 0u; };
    if (byte() != 0x30) return {};
    if (byte() & 0x80) return {};  // short-form length only (P-256)
    std::string out;
    for (int k = 0; k < 2; ++k) {
        if (byte() != 0x02) return {};
        const std::size_t len = byte();
        std::string v(der.substr(i, len));
        i += len;
        while (!v.empty() && v[0] == '\0') v.erase(0, 1);
        if (v.size() > size) return {};
        out += std::string(size - v.size(), '\0') + v;
    }
    return out;
}

TEST(Interop, OpensslCommandLine) {
    if (!have_openssl()) GTEST_SKIP() << "openssl command not found";
    TempDir d;
    ASSERT_FALSE(d.path().empty());
    write_keys(d);
    const std::string payload = json::serialize(good_claims());
    struct Case {
        SigAlg alg;
        const char* kid;
        std::string cmd;  // signs input.txt into sig.bin
    };
    const std::string in = d.file("input.txt"), sig = d.file("sig.bin");
    const Case cases[] = {
        {SigAlg::rs256, "rsa", "openssl dgst -sha256 -sign " + d.file("rsa.pem") + " -out " + sig + " " + in},
        {SigAlg::ps256, "rsa",
         "openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 -sign " +
             d.file("rsa.pem") + " -out " + sig + " " + in},
        {SigAlg::es256, "ec", "openssl dgst -sha256 -sign " + d.file("ec.pem") + " -out " + sig + " " + in},
        {SigAlg::eddsa, "ed",
         "openssl pkeyutl -sign -rawin -inkey " + d.file("ed.pem") + " -in " + in + " -out " + sig},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(crypto::jose_name(c.alg));
        const std::string header = std::string(R"({"alg":")") + crypto::jose_name(c.alg) + R"(","kid":")" +
                                   c.kid + R"(","typ":"JWT"})";
        const std::string input = b64(header) + "." + b64(payload);
        d.write("input.txt", input);
        ASSERT_EQ(run(c.cmd + " 2>/dev/null"), 0) << c.cmd;
        std::string s = d.read("sig.bin");
        if (c.alg == SigAlg::es256) {
            s = der_to_jose(s, 32);
            ASSERT_EQ(s.size(), 64u);
        }
        auto claims = verify_jwt(input + "." + b64(s), our_public_keys(), default_rules(), kNow);
        EXPECT_TRUE(claims.ok()) << to_string(claims.error());
        // The DER form itself is refused (RFC 7518 section 3.4).
        if (c.alg == SigAlg::es256) {
            EXPECT_EQ(
                verify_jwt(input + "." + b64(d.read("sig.bin")), our_public_keys(), default_rules(), kNow)
                    .error(),
                JoseError::bad_signature);
        }
    }
    // The other direction: openssl verifies an RS256 signature made by sign_jws.
    const std::string ours = sign_jws(SigAlg::rs256, keys().rsa, payload).value();
    d.write("input.txt", ours.substr(0, ours.rfind('.')));
    d.write("sig.bin", unb64(ours.substr(ours.rfind('.') + 1)));
    EXPECT_EQ(run("openssl dgst -sha256 -verify " + d.file("rsa.pub") + " -signature " + sig + " " + in +
                  " >/dev/null 2>&1"),
              0);
}

}  // namespace
}  // namespace gk::jose

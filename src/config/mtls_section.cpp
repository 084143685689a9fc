// mtls: how a verified client certificate becomes an identity. Which CAs
// are trusted is per listener (tls: client_ca); this is per policy, since
// one person's certificate should mean the same user on every listener.
#include "config/sections.hpp"
#include "gatekeeper/config/values.hpp"

namespace gk::config::detail {
namespace {

using From = gate::MtlsSettings::IdentityFrom;

struct IdentityName {
    const char* name;
    From from;
};
constexpr IdentityName kIdentities[] = {
    {"subject_cn", From::subject_cn}, {"subject", From::subject}, {"san_email", From::san_email},
    {"san_dns", From::san_dns},       {"san_uri", From::san_uri},
};

void read_identity(Ctx& ctx, const Field& f, gate::MtlsSettings& out) {
    auto s = read_string(ctx, f);
    if (!s) return;
    std::vector<std::string> names;
    for (const auto& i : kIdentities) {
        names.emplace_back(i.name);
        if (*s == i.name) {
            out.identity = i.from;
            return;
        }
    }
    const std::string guess = closest(*s, names);
    ctx.error(f.mark(), "unknown identity source '" + *s + "'",
              guess.empty() ? "one of: " + one_of(names) : "did you mean '" + guess + "'?");
}

void read_groups_from(Ctx& ctx, const Field& f, gate::MtlsSettings& out) {
    auto s = read_string(ctx, f);
    if (!s) return;
    if (*s == "ou") out.groups_from_ou = true;
    else if (*s == "none") out.groups_from_ou = false;
    else
        ctx.error(f.mark(), "groups_from must be ou or none, not '" + *s + "'",
                  "ou: each OU of the subject is a group; group_map adds groups either way");
}

void read_group_map(Ctx& ctx, const Field& f, gate::MtlsSettings& out) {
    if (!expect_map(ctx, f)) return;
    for (const auto& entry : entries(ctx, f.value)) {
        if (entry.key.empty()) {
            ctx.error(entry.key_mark, "an empty subject cannot name a certificate",
                      "a CN (alice) or a full subject DN (\"CN=alice,O=Example\")");
            continue;
        }
        auto groups = read_string_list(ctx, entry);
        if (!groups) continue;
        auto& to = out.group_map[entry.key];
        for (const auto& g : *groups) {
            if (g.text.empty()) ctx.error(g.mark, "a group name must not be empty");
            else to.push_back(g.text);
        }
    }
}

}  // namespace

void read_mtls(Ctx& ctx, const Field& f, gate::Policy& policy) {
    if (!expect_map(ctx, f)) return;
    auto& m = policy.mtls;
    m.line = f.key_mark.line + 1;
    Fields fields(ctx, f.value, {"identity", "groups_from", "group_map"});
    if (auto* x = fields.get("identity")) read_identity(ctx, *x, m);
    if (auto* x = fields.get("groups_from")) read_groups_from(ctx, *x, m);
    if (auto* x = fields.get("group_map")) read_group_map(ctx, *x, m);
}

}  // namespace gk::config::detail

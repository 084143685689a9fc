#include "store/user_sources.hpp"

#include <algorithm>

#include "store/htdigest_directory.hpp"
#include "store/htpasswd_directory.hpp"
#include "store/pg_users.hpp"
#include "store/sqlite_users.hpp"

namespace gk::store {

UserSourceRef::Kind kind_of(gate::UserSource::Kind kind) noexcept {
    switch (kind) {
        case gate::UserSource::Kind::htpasswd:
            return UserSourceRef::Kind::htpasswd;
        case gate::UserSource::Kind::sqlite:
            return UserSourceRef::Kind::sqlite;
        case gate::UserSource::Kind::htdigest:
            return UserSourceRef::Kind::htdigest;
        case gate::UserSource::Kind::postgres:
            return UserSourceRef::Kind::postgres;
    }
    return UserSourceRef::Kind::htpasswd;
}

Result<UserSourceRef, std::string> source_from_policy(const gate::Policy& policy, std::string_view name) {
    if (policy.user_sources.empty()) return fail(policy.source_file + ": no user sources configured");
    const gate::UserSource* src = nullptr;
    if (name.empty()) {
        src = &policy.user_sources.front();
    } else {
        for (const auto& s : policy.user_sources)
            if (s.name == name) src = &s;
        if (!src) return fail(policy.source_file + ": no user source named '" + std::string(name) + "'");
    }
    UserSourceRef ref;
    ref.kind = kind_of(src->kind);
    ref.path = src->path;
    if (ref.kind == UserSourceRef::Kind::postgres) {
        // One or two connections suffice: only refreshes and the CLI's writes use them.
        ref.conninfo = policy.state.postgres;
        ref.pg = pg_options(policy.state);
        ref.pg.pool_size = 2;
    }
    for (const auto& route : policy.routes) {
        if (route.user_source != src->name ||
            std::find(route.schemes.begin(), route.schemes.end(), gate::SchemeKind::digest) == route.schemes.end())
            continue;
        const bool seen = std::any_of(ref.digest_realms.begin(), ref.digest_realms.end(),
                                      [&](const DigestRealm& r) { return r.realm == route.realm; });
        if (!seen) ref.digest_realms.push_back(DigestRealm{route.realm, policy.digest.algorithms});
    }
    return ref;
}

namespace {

// A file-backed directory and the tick that re-reads it when it changes.
template <class Directory>
OpenedDirectory with_refresh(std::shared_ptr<Directory> dir) {
    std::function<Result<Ok, std::string>()> refresh = [dir]() -> Result<Ok, std::string> {
        auto r = dir->reload_if_changed();
        if (!r) return fail(r.error().message);
        return Ok{};
    };
    return OpenedDirectory{std::move(dir), std::move(refresh)};
}

}  // namespace

std::string describe(const UserSourceRef& ref) {
    return ref.kind == UserSourceRef::Kind::postgres ? std::string("the PostgreSQL database (state.postgres)")
                                                     : ref.path.string();
}

Result<OpenedDirectory, std::string> open_user_directory(const UserSourceRef& ref) {
    if (ref.kind == UserSourceRef::Kind::postgres) {
        std::shared_ptr<PgUsers> users = PgUsers::open(ref.conninfo, ref.pg);
        std::function<Result<Ok, std::string>()> refresh = [users] { return users->refresh(); };
        return OpenedDirectory{std::move(users), std::move(refresh)};
    }
    if (ref.kind == UserSourceRef::Kind::sqlite) {
        auto db = SqliteUsers::open(ref.path);
        if (!db) return fail(db.error().message);
        return OpenedDirectory{std::shared_ptr<gate::UserDirectory>(std::move(db).value()), {}};
    }
    if (ref.kind == UserSourceRef::Kind::htdigest)
        return with_refresh(std::make_shared<HtdigestDirectory>(ref.path));
    return with_refresh(std::make_shared<HtpasswdDirectory>(ref.path));
}

}  // namespace gk::store

// A key file (JWKS or PEM) named by jwks_file: loaded at start, re-read when
// it changes. Editors and deploy tools replace files in several ways (rename
// over, truncate and write), so the identity (device, inode), the size and the
// nanosecond mtime together say "changed"; the stamp is taken from the open
// descriptor before reading, so a write that lands after the read changes it
// again and is picked up on the next check.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "server/jwks_keys.hpp"
#include "server/jwks_sources.hpp"

namespace gk::server {

struct FileKeySource::Read {
    Stamp stamp;
    std::shared_ptr<const jose::JwkSet> keys;
    std::size_t skipped = 0;
    std::string error;  // set when keys is null
};

std::string issuer_label(const gate::BearerIssuer& issuer) {
    return "issuer '" + issuer.name + "' (config line " + std::to_string(issuer.line) + ")";
}

FileKeySource::FileKeySource(const gate::BearerIssuer& issuer, std::shared_ptr<spdlog::logger> log)
    : name_(issuer.name), path_(issuer.jwks.location), log_(std::move(log)) {
    auto r = read_file();
    if (!r.keys) throw std::runtime_error(issuer_label(issuer) + ": jwks_file " + path_ + ": " + r.error);
    seen_ = r.stamp;
    keys_ = std::move(r.keys);
    LogEvent("jwks_loaded")
        .str("issuer", name_)
        .str("source", "file")
        .num("keys", static_cast<long long>(keys_->keys().size()))
        .num("skipped", static_cast<long long>(r.skipped))
        .write(*log_, spdlog::level::info);
}

FileKeySource::Read FileKeySource::read_file() const {
    Read r;
    const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        r.error = std::string("cannot open: ") + std::strerror(errno);
        return r;
    }
    struct stat st {};
    std::string text;
    if (::fstat(fd, &st) != 0) {
        r.error = std::string("cannot stat: ") + std::strerror(errno);
    } else if (!S_ISREG(st.st_mode)) {
        r.error = "not a regular file";
    } else if (static_cast<unsigned long long>(st.st_size) > kMaxJwksBytes) {
        r.error = "over " + std::to_string(kMaxJwksBytes) + " bytes";
    } else {
        r.stamp = Stamp{st.st_dev, st.st_ino, st.st_size,
                        static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec};
        char buf[16 * 1024];
        for (;;) {
            const ssize_t n = ::read(fd, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) {
                r.error = std::string("cannot read: ") + std::strerror(errno);
                break;
            }
            if (n == 0) break;
            text.append(buf, static_cast<std::size_t>(n));
            if (text.size() > kMaxJwksBytes) {
                r.error = "over " + std::to_string(kMaxJwksBytes) + " bytes";
                break;
            }
        }
    }
    ::close(fd);
    if (!r.error.empty()) return r;
    auto loaded = keys_from_file_text(text);
    if (!loaded) {
        r.error = loaded.error();
        return r;
    }
    r.keys = std::move(loaded->set);
    r.skipped = loaded->skipped;
    return r;
}

std::shared_ptr<const jose::JwkSet> FileKeySource::keys() const {
    std::lock_guard lock(mu_);
    return keys_;
}

std::string FileKeySource::problem() const {
    std::lock_guard lock(mu_);
    return problem_;
}

void FileKeySource::check() {
    struct stat st {};
    Stamp now;
    if (::stat(path_.c_str(), &st) == 0)
        now = Stamp{st.st_dev, st.st_ino, st.st_size,
                    static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec};
    if (now == seen_) return;
    auto r = read_file();
    // A failed read keeps the stamp it saw (or the missing file's empty one):
    // the same broken file is reported once, not every second.
    seen_ = r.keys ? r.stamp : now;
    if (!r.keys) {
        std::size_t kept = 0;
        {
            std::lock_guard lock(mu_);
            problem_ = "jwks_file " + path_ + ": " + r.error + " (keeping the last good keys)";
            if (keys_) kept = keys_->keys().size();
        }
        LogEvent("jwks_load_failed")
            .str("issuer", name_)
            .str("source", "file")
            .str("path", path_)
            .str("why", r.error)
            .num("kept_keys", static_cast<long long>(kept))
            .write(*log_, spdlog::level::err);
        return;
    }
    const auto count = r.keys->keys().size();
    {
        std::lock_guard lock(mu_);
        keys_ = std::move(r.keys);
        problem_.clear();
    }
    LogEvent("jwks_loaded")
        .str("issuer", name_)
        .str("source", "file")
        .num("keys", static_cast<long long>(count))
        .num("skipped", static_cast<long long>(r.skipped))
        .write(*log_, spdlog::level::info);
}

}  // namespace gk::server

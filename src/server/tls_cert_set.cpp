#include "server/tls_cert_set.hpp"

#include <openssl/err.h>
#include <sys/stat.h>

#include <stdexcept>

namespace gk::server {
namespace {

// OpenSSL's reason for the last failure (never file contents), and a clean error queue.
std::string openssl_reason() {
    const unsigned long e = ERR_peek_last_error();
    char buf[256] = "unknown error";
    if (e) ERR_error_string_n(e, buf, sizeof buf);
    ERR_clear_error();
    return buf;
}

// An encrypted key fails to load instead of prompting on the terminal.
int no_passphrase(char*, int, int, void*) { return 0; }

}  // namespace

FileStamp stamp_of(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return {};
    return {true, static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino),
            static_cast<std::uint64_t>(st.st_size),
            static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
}

CertSet::CertSet(MakeContext make_context)
    : make_context_(std::move(make_context)), snapshot_(std::make_shared<const Snapshot>()) {}

std::shared_ptr<const LoadedCert> CertSet::load(const gate::TlsCertificate& files) const {
    SslCtxPtr ctx = make_context_();
    SSL_CTX_set_default_passwd_cb(ctx.get(), no_passphrase);
    if (SSL_CTX_use_certificate_chain_file(ctx.get(), files.cert_file.c_str()) != 1)
        throw std::runtime_error("cannot load TLS certificate " + files.cert_file + ": " + openssl_reason());
    if (SSL_CTX_use_PrivateKey_file(ctx.get(), files.key_file.c_str(), SSL_FILETYPE_PEM) != 1)
        throw std::runtime_error("cannot load TLS key " + files.key_file + ": " + openssl_reason());
    if (SSL_CTX_check_private_key(ctx.get()) != 1) {
        ERR_clear_error();
        throw std::runtime_error("TLS key " + files.key_file + " does not match certificate " + files.cert_file);
    }
    auto out = std::make_shared<LoadedCert>();
    out->names = names_of(SSL_CTX_get0_certificate(ctx.get()));
    out->ctx = std::move(ctx);
    out->cert_file = files.cert_file;
    return out;
}

std::vector<CertEvent> CertSet::add(const gate::TlsCertificate& files, bool required) {
    std::lock_guard lock(reload_mu_);
    Entry e{files, stamp_of(files.cert_file), stamp_of(files.key_file), nullptr};
    std::vector<CertEvent> events;
    try {
        e.material = load(files);
    } catch (const std::exception& ex) {
        if (required) throw;
        events.push_back({true, std::string(ex.what()) + "; served once it loads"});
    }
    entries_.push_back(std::move(e));
    publish();
    return events;
}

std::vector<CertEvent> CertSet::reload(bool only_changed) {
    std::lock_guard lock(reload_mu_);
    std::vector<CertEvent> events;
    bool any = false;
    for (auto& e : entries_) {
        const FileStamp cert_now = stamp_of(e.files.cert_file);
        const FileStamp key_now = stamp_of(e.files.key_file);
        if (only_changed && cert_now == e.cert_stamp && key_now == e.key_stamp) continue;
        // Remember the stamps even when the load fails: a broken file is reported
        // once, and the next write (a new stamp) is tried again.
        e.cert_stamp = cert_now;
        e.key_stamp = key_now;
        try {
            e.material = load(e.files);
            any = true;
            events.push_back({false, "TLS certificate " + e.files.cert_file + " (key " + e.files.key_file +
                                         ") loaded; new handshakes use it"});
        } catch (const std::exception& ex) {
            events.push_back({true, std::string(ex.what()) +
                                        (e.material ? "; still serving the previous certificate"
                                                    : "; this certificate is not served")});
        }
    }
    if (any) publish();
    return events;
}

std::vector<CertEvent> CertSet::reload_changed() { return reload(true); }
std::vector<CertEvent> CertSet::reload_all() { return reload(false); }

void CertSet::publish() {
    auto next = std::make_shared<Snapshot>();
    for (const auto& e : entries_)
        if (e.material) next->push_back(e.material);
    std::lock_guard lock(snapshot_mu_);
    snapshot_ = std::move(next);
}

std::vector<std::shared_ptr<const LoadedCert>> CertSet::loaded() const {
    std::lock_guard lock(snapshot_mu_);
    return *snapshot_;
}

SslCtxPtr CertSet::pick(std::string_view sni) const {
    std::shared_ptr<const Snapshot> snap;
    {
        std::lock_guard lock(snapshot_mu_);
        snap = snapshot_;
    }
    if (snap->empty()) return nullptr;
    std::vector<const CertNames*> names;
    names.reserve(snap->size());
    for (const auto& c : *snap) names.push_back(&c->names);
    return (*snap)[pick_certificate(names, sni)]->ctx;
}

}  // namespace gk::server

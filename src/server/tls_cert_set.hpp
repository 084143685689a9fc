#pragma once
// The certificates of one TLS listener, each a (cert_file, key_file) entry
// watched for change. Handshakes read an immutable snapshot; a reload builds
// a new SSL_CTX for the entry and publishes a new snapshot, so connections
// already open keep the context they started with (OpenSSL counts references
// to it), and a broken file leaves the last good material in place.
#include <openssl/ssl.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "gatekeeper/gate/policy.hpp"
#include "server/tls_sni.hpp"

namespace gk::server {

using SslCtxPtr = std::shared_ptr<SSL_CTX>;

// Something the operator should read in the log.
struct CertEvent {
    bool error = false;
    std::string text;
};

// What identifies one version of a file: a rewrite, a rename over it or a
// truncation changes at least one of these.
struct FileStamp {
    bool exists = false;
    std::uint64_t dev = 0, ino = 0, size = 0;
    std::int64_t mtime_ns = 0;
    friend bool operator==(const FileStamp&, const FileStamp&) = default;
};
[[nodiscard]] FileStamp stamp_of(const std::string& path);

struct LoadedCert {
    SslCtxPtr ctx;
    CertNames names;
    std::string cert_file;
};

class CertSet {
public:
    // A context with the listener's settings and no certificate yet.
    using MakeContext = std::function<SslCtxPtr()>;
    explicit CertSet(MakeContext make_context);

    // Adds an entry and loads it now. A required entry (one the config names)
    // that cannot load throws std::runtime_error naming the file; an optional
    // one (e.g. written later by ACME) is logged and picked up once it loads.
    std::vector<CertEvent> add(const gate::TlsCertificate& files, bool required);
    // Loads the entries whose files changed since the last look (the 1 s tick).
    std::vector<CertEvent> reload_changed();
    // Loads every entry again (SIGHUP).
    std::vector<CertEvent> reload_all();

    // The context for a handshake with this SNI name ("" without SNI); null
    // when no entry has loaded. Shared ownership: safe across a reload.
    [[nodiscard]] SslCtxPtr pick(std::string_view sni) const;
    // Loaded certificates in entry order, as handshakes see them now.
    [[nodiscard]] std::vector<std::shared_ptr<const LoadedCert>> loaded() const;

private:
    struct Entry {
        gate::TlsCertificate files;
        FileStamp cert_stamp, key_stamp;
        std::shared_ptr<const LoadedCert> material;  // null until the first good load
    };
    using Snapshot = std::vector<std::shared_ptr<const LoadedCert>>;

    // Reads the files into a new context; throws std::runtime_error naming the file.
    std::shared_ptr<const LoadedCert> load(const gate::TlsCertificate& files) const;
    std::vector<CertEvent> reload(bool only_changed);
    void publish();  // with reload_mu_ held

    MakeContext make_context_;
    std::mutex reload_mu_;  // entries_: the control thread, and whoever adds entries
    std::vector<Entry> entries_;
    mutable std::mutex snapshot_mu_;  // snapshot_: read by every handshake
    std::shared_ptr<const Snapshot> snapshot_;
};

}  // namespace gk::server

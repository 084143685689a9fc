#pragma once
// The files of one ACME-managed certificate: <dir>/cert.pem + <dir>/key.pem,
// the pair the TLS listener serves. A new pair is first written whole to
// <dir>/next/ and only then copied over the live files (key first, then
// cert), each write atomic; a crash between the two live writes leaves a
// complete pair in next/ that recover_pair() puts in place at the next start,
// so a new key is never left beside an old certificate.
#include <chrono>
#include <optional>
#include <string>

namespace gk::server {

struct CertFacts {
    bool self_signed = false;  // the placeholder (an ACME certificate never is)
    std::chrono::system_clock::time_point not_before, not_after;
    std::string serial;  // hex, for the log
};

// The live pair's facts, or nullopt when either file is missing, unreadable,
// or the key does not belong to the certificate.
std::optional<CertFacts> inspect_pair(const std::string& dir);

// Writes the pair as described above. Throws std::runtime_error naming the
// failing step; the live files are untouched unless the failure hit the
// second live write (then recover_pair() completes it).
void install_pair(const std::string& dir, const std::string& key_pem, const std::string& cert_pem);

// At start: completes an interrupted install; when there is still no usable
// pair, writes a self-signed placeholder so the TLS listener can start.
// Returns what it did ("ok", "recovered", "placeholder") for the log.
std::string recover_pair(const std::string& dir);

// The first certificate of a PEM chain: its facts (nullopt if unparsable).
std::optional<CertFacts> inspect_chain(const std::string& pem);

}  // namespace gk::server

#include "store/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "gatekeeper/crypto/crypto.hpp"

namespace gk::store {
namespace fs = std::filesystem;
namespace {

std::string describe(const fs::path& p, const char* step, int err) {
    return step + (" " + p.string()) + ": " + std::strerror(err);
}

// Owns a descriptor so that every early return closes it.
class Fd {
public:
    explicit Fd(int fd) noexcept : fd_(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() { if (fd_ >= 0) ::close(fd_); }
    [[nodiscard]] int get() const noexcept { return fd_; }
    // close() reports deferred write errors (NFS, quota): they must not be lost.
    int close() noexcept {
        int rc = ::close(fd_);
        fd_ = -1;
        return rc;
    }

private:
    int fd_;
};

bool write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

Result<Ok, std::string> fsync_directory(const fs::path& dir) {
    Fd d(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (d.get() < 0) return fail(describe(dir, "open directory", errno));
    if (::fsync(d.get()) != 0) return fail(describe(dir, "fsync directory", errno));
    return Ok{};
}

// Where the bytes really go: a symlinked file (config management likes those)
// keeps its link, and the temp file lands in the target's directory so the
// rename stays on one file system.
fs::path resolve_target(const fs::path& path) {
    std::error_code ec;
    if (fs::is_symlink(fs::symlink_status(path, ec))) {
        fs::path target = fs::canonical(path, ec);
        if (!ec) return target;
    }
    return path;
}

}  // namespace

Result<Ok, std::string> write_file_atomically(const fs::path& requested, std::string_view content, fs::perms perms) {
    const fs::path path = resolve_target(requested);
    if (path.filename().empty()) return fail("not a file name: " + requested.string());
    const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
    const auto mode = static_cast<mode_t>(perms & fs::perms::mask);

    // Random suffix + O_EXCL: two writers never share a temp file, and a
    // planted symlink at a guessable name cannot redirect the write.
    fs::path tmp;
    int raw = -1;
    for (int attempt = 0; attempt < 8 && raw < 0; ++attempt) {
        tmp = dir / ("." + path.filename().string() + ".tmp-" + crypto::to_hex(crypto::random_bytes(6)));
        raw = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
        if (raw < 0 && errno != EEXIST) return fail(describe(path, "create temporary file for", errno));
    }
    if (raw < 0) return fail(describe(path, "create temporary file for", EEXIST));
    Fd fd(raw);

    auto abandon = [&](const char* step) -> Result<Ok, std::string> {
        int err = errno;
        ::unlink(tmp.c_str());
        return fail(describe(path, step, err));
    };
    if (::fchmod(fd.get(), mode) != 0) return abandon("set permissions of");
    if (!write_all(fd.get(), content)) return abandon("write");
    if (::fsync(fd.get()) != 0) return abandon("fsync");
    if (fd.close() != 0) return abandon("close");
    if (::rename(tmp.c_str(), path.c_str()) != 0) return abandon("replace");
    // The new content is in place; a failed directory fsync only weakens
    // durability across power loss, but the caller should still hear of it.
    return fsync_directory(dir);
}

fs::perms existing_perms_or(const fs::path& path, fs::perms fallback) {
    std::error_code ec;
    auto st = fs::status(path, ec);
    if (ec || !fs::is_regular_file(st)) return fallback;
    return st.permissions() & fs::perms::mask;
}

}  // namespace gk::store

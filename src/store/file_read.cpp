#include "store/file_read.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace gk::store {
namespace {

std::string describe(const std::filesystem::path& p, std::string_view what) {
    return std::string(what) + ": " + p.string();
}

std::string describe_errno(const std::filesystem::path& p, const char* step, int err) {
    return std::string("cannot ") + step + " " + p.string() + ": " + std::strerror(err);
}

std::int64_t nanos(const timespec& ts) {
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

FileStamp stamp_of(const struct stat& st) {
    return FileStamp{static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino),
                     static_cast<std::int64_t>(st.st_size), nanos(st.st_mtim), nanos(st.st_ctim)};
}

}  // namespace

Result<FileStamp, std::string> stat_file(const std::filesystem::path& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return fail(describe_errno(path, "stat", errno));
    return stamp_of(st);
}

bool is_readable_regular_file(const std::filesystem::path& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    struct stat st {};
    const bool regular = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    ::close(fd);
    return regular;
}

Result<FileContent, std::string> read_file(const std::filesystem::path& path, std::size_t max_bytes) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return fail(describe_errno(path, "open", errno));
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};

    struct stat before {};
    if (::fstat(fd, &before) != 0) return fail(describe_errno(path, "stat", errno));
    if (!S_ISREG(before.st_mode)) return fail(describe(path, "not a regular file"));
    if (static_cast<std::uint64_t>(before.st_size) > max_bytes) return fail(describe(path, "file too large"));

    FileContent out;
    out.text.reserve(static_cast<std::size_t>(before.st_size));
    char buf[16384];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            return fail(describe_errno(path, "read", errno));
        }
        if (n == 0) break;
        out.text.append(buf, static_cast<std::size_t>(n));
        if (out.text.size() > max_bytes) return fail(describe(path, "file too large"));
    }

    struct stat after {};
    if (::fstat(fd, &after) != 0) return fail(describe_errno(path, "stat", errno));
    out.stamp = stamp_of(after);
    if (!(stamp_of(before) == out.stamp) || out.text.size() != static_cast<std::size_t>(after.st_size))
        return fail(describe(path, "file changed while being read"));
    return out;
}

}  // namespace gk::store

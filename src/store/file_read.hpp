#pragma once
// Reading a small file whole, with the identity (device, inode, size, times)
// of exactly the version that was read, so a later stat can tell "changed".
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include "gatekeeper/common/result.hpp"

namespace gk::store {

struct FileStamp {
    std::uint64_t device = 0;
    std::uint64_t inode = 0;
    std::int64_t size = 0;
    std::int64_t mtime_ns = 0;
    std::int64_t ctime_ns = 0;   // catches a same-size edit that reset mtime (touch -r, rsync -t)
    friend bool operator==(const FileStamp&, const FileStamp&) = default;
};

struct FileContent {
    std::string text;
    FileStamp stamp;
};

// A user file is tiny; anything near this is a mistake, not a reason to
// allocate gigabytes.
inline constexpr std::size_t kMaxUserFileBytes = 64u << 20;

Result<FileStamp, std::string> stat_file(const std::filesystem::path& path);

// true when `path` opens for reading and is a regular file (following links).
[[nodiscard]] bool is_readable_regular_file(const std::filesystem::path& path);

// Fails (with the path and reason) when the file is missing, not a regular
// file, larger than max_bytes, or was modified while being read: an editor
// writing in place must not hand us half a file.
Result<FileContent, std::string> read_file(const std::filesystem::path& path,
                                           std::size_t max_bytes = kMaxUserFileBytes);

}  // namespace gk::store

#pragma once
// Whole-file replacement that a crash or a concurrent reader never sees half
// done: readers get the old file or the new one, nothing in between.
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "gatekeeper/common/result.hpp"

namespace gk::store {

inline constexpr std::filesystem::perms kPrivateFile =
    std::filesystem::perms::owner_read | std::filesystem::perms::owner_write;

// Writes `content` to a new file beside `path` (created O_EXCL with `perms`,
// fchmod'ed so the umask cannot widen or narrow them), fsyncs it, renames it
// over `path` and fsyncs the directory so the rename itself is durable.
// A symlink at `path` is followed: its target is replaced, the link kept.
// On failure the temporary file is gone and `path` is untouched; the error
// names the path and the failing step.
Result<Ok, std::string> write_file_atomically(const std::filesystem::path& path, std::string_view content,
                                              std::filesystem::perms perms = kPrivateFile);

// The permissions of an existing file, or `fallback` when there is none: an
// edit keeps the mode the operator chose.
std::filesystem::perms existing_perms_or(const std::filesystem::path& path, std::filesystem::perms fallback);

}  // namespace gk::store

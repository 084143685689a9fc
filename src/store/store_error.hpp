#pragma once
// One error type for the user stores: a kind the CLI can map to an exit code
// and a message an operator can act on (names the user or the file, never a hash).
#include <string>

namespace gk::store {

struct StoreError {
    enum class Kind {
        not_found,      // no such user
        exists,         // user already present
        invalid,        // bad name, group, or an operation the backend cannot do
        unavailable,    // file or database cannot be read, written or parsed
    };
    Kind kind = Kind::unavailable;
    std::string message;
};

inline StoreError store_error(StoreError::Kind k, std::string message) { return StoreError{k, std::move(message)}; }

}  // namespace gk::store

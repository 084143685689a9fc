#pragma once
// Strict framing check of a chunked request body (RFC 9112 7.1, SECURITY.md
// S8), fed the raw bytes before Beast parses them. Beast 1.81 waits forever
// on a chunk line ending in a bare LF and tolerates oddities another parser
// may read differently; here every line must end in CRLF, sizes are 1-16 hex
// digits, extensions follow the chunk-ext grammar exactly (as Beast reads it:
// a quoted-string never spans the line end, 7.1.1), trailers are plain field
// lines, and the data
// of a chunk must be followed by CRLF. Incremental: bytes may arrive one at a
// time. Once the last CRLF is seen the checker is done and ignores the rest
// (the next pipelined request).
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace gk::gate {

enum class ChunkedError {
    none,
    bad_size,       // not 1*HEXDIG, or more than 16 digits
    bad_extension,  // chunk-ext off its grammar: CTL, stray BWS, CR in a quoted-string
    bad_line_end,   // bare LF, CR not followed by LF
    missing_crlf,   // chunk data not followed by CRLF
    bad_trailer,    // trailer line not "name: value"
    line_too_long,  // size line, extension or trailer line over the cap
};

const char* to_string(ChunkedError e) noexcept;

class ChunkedCheck {
public:
    // Consumes `bytes`; returns how many belonged to the chunked message
    // (fewer than given only once done). error() says whether it failed.
    std::size_t feed(std::string_view bytes) noexcept;
    [[nodiscard]] bool done() const noexcept { return state_ == State::done; }
    [[nodiscard]] ChunkedError error() const noexcept { return error_; }
    [[nodiscard]] bool failed() const noexcept { return error_ != ChunkedError::none; }

    static constexpr std::size_t kMaxLine = 4096;

private:
    // chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ), one state per position.
    enum class State {
        size,
        ext_bws,         // BWS after the size or a value: only ";" may follow
        ext_name_start,  // after ";": BWS, then a token
        ext_name,
        ext_name_bws,   // BWS after a name: ";" or "=" must follow
        ext_val_start,  // after "=": BWS, then a token or a quoted-string
        ext_token,
        ext_quoted,
        ext_quoted_pair,
        ext_quoted_end,  // after the closing quote: CR, ";" or BWS
        size_cr,
        data,
        data_cr,
        data_lf,
        trailer_start,
        trailer,
        trailer_cr,
        last_cr,
        done,
        failed
    };
    bool fail(ChunkedError e) noexcept;
    // One byte of a chunk extension; false (with error_ set) when it breaks the grammar.
    bool ext_step(char c) noexcept;

    State state_ = State::size;
    ChunkedError error_ = ChunkedError::none;
    std::uint64_t remaining_ = 0;
    unsigned digits_ = 0;
    std::size_t line_ = 0;  // bytes of the current size/ext/trailer line
    bool trailer_colon_ = false;
};

}  // namespace gk::gate

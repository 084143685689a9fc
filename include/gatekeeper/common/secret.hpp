#pragma once
// A secret (password, token, key) that cannot be printed by accident and is
// wiped when it goes away. There is deliberately no operator<< and no fmt
// formatter: logging one is a compile error.
#include <cstddef>
#include <string>
#include <string_view>

namespace gk {

class Secret {
public:
    Secret() = default;
    explicit Secret(std::string value) : value_(std::move(value)) {}
    explicit Secret(std::string_view value) : value_(value) {}
    Secret(const Secret&) = default;
    Secret(Secret&&) noexcept = default;
    Secret& operator=(const Secret& other) {
        if (this != &other) { wipe(); value_ = other.value_; }
        return *this;
    }
    Secret& operator=(Secret&& other) noexcept {
        if (this != &other) { wipe(); value_ = std::move(other.value_); }
        return *this;
    }
    ~Secret() { wipe(); }

    // The only way to read the value: the call site says it means it.
    [[nodiscard]] std::string_view reveal() const noexcept { return value_; }
    [[nodiscard]] bool empty() const noexcept { return value_.empty(); }
    [[nodiscard]] std::size_t size() const noexcept { return value_.size(); }

private:
    void wipe() noexcept {
        volatile char* p = value_.data();
        for (std::size_t i = 0; i < value_.size(); ++i) p[i] = 0;
        value_.clear();
    }
    std::string value_;
};

}  // namespace gk

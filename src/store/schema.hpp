#pragma once
// The embedded database's schema, as an append-only list of migrations.
// Never edit a released migration: add the next version instead.
#include <span>

#include "store/sqlite_db.hpp"

namespace gk::store {

std::span<const Migration> gatekeeper_schema();

}  // namespace gk::store

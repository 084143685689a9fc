#include "gatekeeper/gate/ports.hpp"

#include "gatekeeper/password/hash.hpp"

namespace gk::gate {

std::string UserDirectory::dummy_hash() const { return password::dummy_hash(); }

}  // namespace gk::gate

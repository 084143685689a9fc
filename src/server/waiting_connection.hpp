#pragma once
// The connections of one worker that wait for a request head, oldest first:
// the connection cap reclaims the front one, draining closes them all.
#include <boost/intrusive/list.hpp>

#include "server/net.hpp"

namespace gk::server {

// A connection waiting for a request head (fresh, idle keep-alive, parked,
// or a head still arriving). auto_unlink: one that ends leaves the list by itself.
struct Connection
    : boost::intrusive::list_base_hook<boost::intrusive::link_mode<boost::intrusive::auto_unlink>> {
    tcp::socket* socket = nullptr;  // cancelling its wait ends the connection
    bool reclaimed = false;         // closed to make room under the connection cap
};
// Oldest wait first: push_back when a wait begins, unlink when a head arrives.
using WaitingConnections = boost::intrusive::list<Connection, boost::intrusive::constant_time_size<false>>;

}  // namespace gk::server

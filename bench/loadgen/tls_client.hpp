// The simulated agents' side of TLS (--tls): one client context for the
// whole fleet. A load generator checks no more than a pinned certificate
// fingerprint (the SHA-256 of the hub's certificate, read from the spawned
// hub's DATA-DIR/tls/hub-cert.pem or given with --tls-fingerprint), or
// nothing when there is no pin; each agent keeps its own session for
// resumption (agent_connection.cpp), so the context keeps none.
#pragma once

#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>

namespace telehub::loadgen {

// `fingerprint` "sha256:HEX" pins the hub's leaf certificate; empty: no verification.
std::unique_ptr<boost::asio::ssl::context> make_agent_tls_context(const std::string& fingerprint);

// "sha256:..." of the first certificate in the PEM file `path`; empty if unreadable.
std::string pem_fingerprint(const std::string& path);

}  // namespace telehub::loadgen

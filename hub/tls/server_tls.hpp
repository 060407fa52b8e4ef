// The hub's TLS identity: the certificate chain and key from PEM files,
// turned into the server context every new TLS connection uses. TLS 1.2 at
// least (1.3 preferred by the client's choice), forward-secret AEAD ciphers
// only, session tickets on, their keys kept in a file so that agents resume
// their sessions across a hub restart too. reload() reads the files again; connections
// already open keep the context they started with (each SSL holds a
// reference to its SSL_CTX), so a SIGHUP drops no one.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include <boost/asio/ssl/context.hpp>

namespace telehub::hub {

class ServerTls {
public:
    // Throws std::runtime_error naming the file and OpenSSL's reason.
    // `ticket_key_file` holds the session ticket keys (made, mode 0600, if absent).
    ServerTls(std::string cert_file, std::string key_file, std::string ticket_key_file);

    // The context for a connection accepted now.
    std::shared_ptr<boost::asio::ssl::context> context() const;
    // "sha256:..." of the leaf certificate now in use.
    std::string fingerprint() const;

    // Reads the files again; on any error throws and keeps the current context.
    // A new certificate gets new ticket keys (see load_ticket_keys).
    void reload();

    // What an operator must hear about the certificate in use at `now`: not yet
    // valid, expired, or expiring within 14 days. Empty when none applies.
    std::string validity_warning(std::chrono::system_clock::time_point now = std::chrono::system_clock::now()) const;

    const std::string& cert_file() const { return cert_file_; }

    // --check-config: loads the pair as the constructor does, without touching
    // the ticket key file. Throws as the constructor does, and for a
    // certificate agents would refuse now (expired, not yet valid); returns
    // validity_warning()'s text for one expiring soon.
    static std::string check_pair(const std::string& cert_file, const std::string& key_file);

private:
    std::string cert_file_, key_file_, ticket_key_file_;
    std::string ticket_keys_;  // 80 bytes: key name, HMAC key, AES key; changed by reload() only
    mutable std::mutex mu_;
    std::shared_ptr<boost::asio::ssl::context> context_;
    std::string fingerprint_;
};

}  // namespace telehub::hub

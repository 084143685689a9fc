#pragma once
// The reverse proxy: re-serializes the client's request to a pooled upstream
// connection and streams both bodies through fixed buffers.
#include <optional>

#include <boost/asio/write.hpp>

#include "gatekeeper/gate/decision.hpp"
#include "gatekeeper/gate/request.hpp"
#include "server/access_log.hpp"
#include "server/decision_response.hpp"
#include "server/head_writer.hpp"
#include "server/headers.hpp"
#include "server/relay.hpp"
#include "server/session.hpp"
#include "server/upstream_head.hpp"
#include "server/write_now.hpp"

namespace gk::server {

struct ProxyContext {
    Worker& w;
    const Runtime& rt;
    const gate::Upstream& up;
    const ConnInfo& info;
    const gate::Request& greq;
    const gate::Decision& decision;
    AccessRecord& log;
    std::string_view preread_body = {};  // the body, when a check already read it whole
    // The client's HTTP version, kept before the head is rewritten for the
    // upstream (always 1.1 there): a 1.0 client gets 1.0 answers.
    unsigned client_version = 11;
};

struct ProxyOutcome {
    std::optional<string_response> error_response;  // nothing was sent to the client yet
    int status = 0;
    bool keep_alive = false;
};

// Rewrites the inbound head in place for the upstream (hop-by-hop, spoofable
// identity headers, own cookies, X-Forwarded-*, identity, target).
void prepare_upstream_request(ProxyContext& ctx, http::request<http::buffer_body>& req, bool chunked);
// Rewrites the upstream's response head for the client.
void prepare_client_response(http::response<http::buffer_body>& res, bool chunked, bool head_only,
                             unsigned client_version, bool client_keep_alive);

namespace detail {

// Strict-Transport-Security for a secure request's response, added only when
// the upstream sent none: an application that sets its own policy keeps it.
inline std::pair<std::string_view, std::string_view> hsts_fallback(const ProxyContext& ctx) {
    if (!ctx.greq.secure || ctx.rt.policy.hsts_header.empty()) return {};
    return {"Strict-Transport-Security", ctx.rt.policy.hsts_header};
}

enum class Failure { none, retryable, upstream, upstream_timeout, client };

// Sends conn.response_head and then `length` body bytes read from the upstream
// (conn.buffer first). Failures as relay_body reports them: a read error
// before anything reached the client is the upstream's (502); after that the
// client's connection is closed on a truncated body. Returns the bytes still
// owed (0 when the body was relayed whole).
template <class Client, class Up>
asio::awaitable<std::pair<Failure, std::uint64_t>> relay_sized_body(ProxyContext& ctx, Client& client, Up& up,
                                                                   UpstreamConnection& conn, std::uint64_t length,
                                                                   ProxyOutcome& out) {
    const auto& lim = ctx.rt.policy.limits;
    auto& ubuf = conn.buffer;
    std::uint64_t left = length;
    std::size_t written = 0;
    bool head_sent = false;
    constexpr std::size_t kPiece = 64 * 1024;
    for (;;) {
        // The head waits for a first piece of kPiece bytes (or the whole
        // body), as relay_body's does: a failure before that is still a 502.
        const std::size_t need = head_sent ? 1 : static_cast<std::size_t>(std::min<std::uint64_t>(left, kPiece));
        if (left > 0 && ubuf.size() < need) {
            beast::get_lowest_layer(up).expires_after(lim.body_timeout);
            const std::size_t want =
                static_cast<std::size_t>(std::min<std::uint64_t>(left, kPiece)) - std::min(ubuf.size(), kPiece);
            auto [rec, n] = co_await up.async_read_some(ubuf.prepare(std::max<std::size_t>(want, 1)), use_nothrow);
            if (rec) {
                // Beast's parser calls a body cut short a partial message.
                if (rec == asio::error::eof) rec = http::error::partial_message;
                if (written == 0) {
                    ctx.log.reason =
                        "upstream body: " + rec.message() + " (before anything was sent to the client)";
                    co_return std::pair{Failure::upstream, left};
                }
                out.keep_alive = false;
                ctx.log.reason = "upstream body: " + rec.message() + " after " + std::to_string(written) +
                                 " bytes were sent to the client: response truncated, connection closed";
                co_return std::pair{Failure::client, left};
            }
            ubuf.commit(n);
            continue;
        }
        const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(left, ubuf.size()));
        const auto body = asio::buffer(ubuf.data().data(), take);
        error_code wec;
        std::size_t m = 0;
        if (!head_sent) {
            const std::array<asio::const_buffer, 2> bufs{asio::buffer(conn.response_head), body};
            m = write_now(client, bufs, wec);
            if (!wec && m < bufs[0].size() + bufs[1].size())
                std::tie(wec, m) = co_await write_rest(client, bufs, m, lim.body_timeout);
        } else {
            m = write_now(client, body, wec);
            if (!wec && m < body.size()) std::tie(wec, m) = co_await write_rest(client, body, m, lim.body_timeout);
        }
        written += m;
        if (wec) {
            out.keep_alive = false;
            ctx.log.reason = "client write: " + wec.message();
            co_return std::pair{Failure::client, left};
        }
        head_sent = true;
        ubuf.consume(take);
        left -= take;
        if (left == 0) co_return std::pair{Failure::none, std::uint64_t{0}};
    }
}

template <class Client, class Up>
asio::awaitable<std::pair<Failure, ProxyOutcome>> exchange(ProxyContext& ctx, Client& client, beast::flat_buffer& cbuf,
                                                           http::request_parser<http::buffer_body>& p, Up& up,
                                                           UpstreamConnection& conn, bool head_request,
                                                           bool client_keep_alive, bool may_retry) {
    const auto& lim = ctx.rt.policy.limits;
    ProxyOutcome out;
    const bool had_body_before = !p.is_done();
    RelayError rel;
    if (!had_body_before && ctx.preread_body.empty()) {
        // No body (the common GET): the head alone, one contiguous write.
        write_request_head(conn.request_head, p.get());
        const auto head = asio::buffer(conn.request_head);
        std::size_t m = write_now(up, head, rel.write);
        if (!rel.write && m < head.size()) std::tie(rel.write, m) = co_await write_rest(up, head, m, lim.body_timeout);
    } else {
        http::request_serializer<http::buffer_body> sr{p.get()};
        // A retry re-sends only a request whose body was complete before the first
        // attempt, so one check per exchange sees the whole body.
        gate::ChunkedCheck chunk_check;
        rel = co_await relay_body(client, cbuf, p, up, sr, lim.body_timeout, p.chunked() ? &chunk_check : nullptr,
                                  ctx.preread_body);
    }
    if (rel.read) {
        out.error_response = error_response(rel.read == beast::error::timeout ? http::status::request_timeout
                                            : rel.read == http::error::body_limit ? http::status::payload_too_large
                                                                                   : http::status::bad_request,
                                            "The request body could not be read.", "", 11);
        co_return std::pair{Failure::client, std::move(out)};
    }
    if (rel.write) {
        ctx.log.reason = "upstream write: " + rel.write.message();
        co_return std::pair{may_retry && !had_body_before ? Failure::retryable : Failure::upstream, std::move(out)};
    }

    // The head is read as http::async_read_header would, into a parser that
    // keeps views instead of fields; nothing is consumed until the head is
    // complete, so the general path can parse the same bytes again.
    std::optional<ResponseHeadParser> lp;
    std::size_t head_bytes = 0;
    for (;;) {
        lp.emplace();
        lp->body_limit(boost::none);
        if (head_request) lp->skip(true);
        beast::get_lowest_layer(up).expires_after(ctx.up.response_timeout);
        error_code ec;
        for (;;) {
            if (conn.buffer.size() > 0) {
                const auto data = conn.buffer.data();
                lp->expect_input(static_cast<const char*>(data.data()), data.size());
                head_bytes = lp->put(data, ec);
                if (ec != http::error::need_more) break;
                ec = {};
            }
            const auto size = beast::read_size(conn.buffer, 65536);
            if (size == 0) {
                ec = http::error::buffer_overflow;
                break;
            }
            auto [rec, n] = co_await up.async_read_some(conn.buffer.prepare(size), use_nothrow);
            conn.buffer.commit(n);
            if (rec == asio::error::eof) {
                // Beast's read: a head cut short is a partial message, no byte at all the end of stream.
                if (lp->got_some()) lp->put_eof(ec);
                if (!ec) ec = lp->got_some() ? error_code(http::error::partial_message)
                                             : error_code(http::error::end_of_stream);
                break;
            }
            if (rec) {
                ec = rec;
                break;
            }
        }
        if (ec == beast::error::timeout) {
            ctx.log.reason = "upstream response timeout";
            co_return std::pair{Failure::upstream_timeout, std::move(out)};
        }
        if (ec) {
            ctx.log.reason = "upstream read: " + ec.message();
            co_return std::pair{may_retry && !had_body_before && conn.buffer.size() == 0 ? Failure::retryable
                                                                                         : Failure::upstream,
                                std::move(out)};
        }
        const int interim = lp->status();
        if (interim >= 100 && interim < 200 && interim != 101) {  // interim responses are not relayed
            conn.buffer.consume(head_bytes);
            continue;
        }
        break;
    }
    const int code = lp->status();
    out.status = code;
    ctx.log.upstream_status = code;
    const bool head_only = head_request || code == 204 || code == 304 || code < 200;
    const bool closing = !client_keep_alive || ctx.w.draining;
    if (!lp->general_path_needed() && (head_only || (!lp->chunked() && lp->content_length()))) {
        // Framing the client can take as it is: the head from the views
        // (prepare_client_response's rules), then the body byte for byte.
        const bool upstream_keep_alive = lp->keep_alive();
        out.keep_alive = !closing;
        write_client_head(conn.response_head, *lp, ctx.client_version, out.keep_alive, ctx.decision.response_headers,
                          hsts_fallback(ctx));
        conn.buffer.consume(head_bytes);
        if (head_only) {
            const auto head = asio::buffer(conn.response_head);
            error_code wec;
            std::size_t m = write_now(client, head, wec);
            if (!wec && m < head.size()) std::tie(wec, m) = co_await write_rest(client, head, m, lim.body_timeout);
            if (wec) out.keep_alive = false;
            if (upstream_keep_alive && lp->is_done() && p.is_done()) co_return std::pair{Failure::none, std::move(out)};
            co_return std::pair{Failure::client /* connection not reusable, but the exchange succeeded */,
                                std::move(out)};
        }
        auto [failure, rest] = co_await relay_sized_body(ctx, client, up, conn, *lp->content_length(), out);
        if (failure != Failure::none) co_return std::pair{failure, std::move(out)};
        if (upstream_keep_alive && rest == 0 && p.is_done()) co_return std::pair{Failure::none, std::move(out)};
        co_return std::pair{Failure::client /* connection not reusable, but the exchange succeeded */, std::move(out)};
    }

    // The general path: the same head into Beast's fields, then the Beast relay.
    std::optional<http::response_parser<http::buffer_body>> rp;
    rp.emplace();
    rp->body_limit(boost::none);
    if (head_request) rp->skip(true);
    {
        error_code pec;
        const auto used = rp->put(conn.buffer.data(), pec);
        if (!pec && !rp->is_header_done()) pec = http::error::partial_message;
        if (pec) {
            ctx.log.reason = "upstream read: " + pec.message();
            co_return std::pair{Failure::upstream, std::move(out)};
        }
        conn.buffer.consume(used);
    }
    auto& res = rp->get();
    const bool upstream_keep_alive = res.keep_alive();
    prepare_client_response(res, rp->chunked(), head_only, ctx.client_version, !closing);
    // Gatekeeper's own fields (Digest's Authentication-Info) replace any the upstream sent.
    for (const auto& [name, value] : ctx.decision.response_headers) res.set(name, value);
    if (const auto [name, value] = hsts_fallback(ctx); !name.empty() && res.find(name) == res.end()) res.set(name, value);
    out.keep_alive = res.keep_alive();

    const auto length = rp->content_length();
    if (head_only) {
        write_response_head(conn.response_head, res);
        const auto head = asio::buffer(conn.response_head);
        error_code wec;
        std::size_t m = write_now(client, head, wec);
        if (!wec && m < head.size()) std::tie(wec, m) = co_await write_rest(client, head, m, lim.body_timeout);
        if (wec) out.keep_alive = false;
    } else if (length && !rp->chunked() && res.has_content_length()) {
        // A body framed by Content-Length goes out as it came, byte for byte:
        // the head with the first piece of body in one gathered write, then
        // whatever the length still owes, straight from the upstream buffer.
        write_response_head(conn.response_head, res);
        auto [failure, rest] = co_await relay_sized_body(ctx, client, up, conn, *length, out);
        if (failure != Failure::none) co_return std::pair{failure, std::move(out)};
        if (upstream_keep_alive && rest == 0 && p.is_done()) co_return std::pair{Failure::none, std::move(out)};
        co_return std::pair{Failure::client /* connection not reusable, but the exchange succeeded */, std::move(out)};
    } else {
        http::response_serializer<http::buffer_body> rsr{res};
        auto back = co_await relay_body(up, conn.buffer, *rp, client, rsr, lim.body_timeout);
        if (back.read && back.written == 0) {
            // The head goes out with the first piece of body: nothing was sent
            // yet, so the client can still be told the truth (502).
            ctx.log.reason =
                "upstream body: " + back.read.message() + " (before anything was sent to the client)";
            co_return std::pair{Failure::upstream, std::move(out)};
        }
        if (back.read || back.write) {
            // The head is already on the wire: the only honest signal left is
            // closing, and the client sees a truncated body.
            out.keep_alive = false;
            ctx.log.reason = back.read
                                 ? "upstream body: " + back.read.message() + " after " +
                                       std::to_string(back.written) +
                                       " bytes were sent to the client: response truncated, connection closed"
                                 : "client write: " + back.write.message();
            co_return std::pair{Failure::client, std::move(out)};
        }
    }
    if (upstream_keep_alive && rp->is_done() && p.is_done()) co_return std::pair{Failure::none, std::move(out)};
    co_return std::pair{Failure::client /* connection not reusable, but the exchange succeeded */, std::move(out)};
}

}  // namespace detail

template <class Client>
asio::awaitable<ProxyOutcome> proxy_request(ProxyContext& ctx, Client& client, beast::flat_buffer& cbuf,
                                            http::request_parser<http::buffer_body>& p) {
    auto& req = p.get();
    const bool client_keep_alive = req.keep_alive();
    ctx.client_version = req.version();
    const bool head_request = req.method() == http::verb::head;
    const bool expects_continue = gate::iequals(req[http::field::expect], "100-continue");
    prepare_upstream_request(ctx, req, p.chunked());
    const std::string accept = ctx.greq.get("Accept") ? std::string(*ctx.greq.get("Accept")) : std::string();

    if (expects_continue && !p.is_done()) {
        static constexpr std::string_view cont = "HTTP/1.1 100 Continue\r\n\r\n";
        beast::get_lowest_layer(client).expires_after(ctx.rt.policy.limits.body_timeout);
        auto [ec, n] = co_await asio::async_write(client, asio::buffer(cont.data(), cont.size()), use_nothrow);
        if (ec) co_return ProxyOutcome{std::nullopt, 0, false};
    }

    auto& tls_ctx = *ctx.rt.upstream_tls.at(ctx.up.name);
    for (int attempt = 0; attempt < 2; ++attempt) {
        auto conn = attempt == 0 ? ctx.w.pool.take(ctx.up.name) : nullptr;
        if (!conn) {
            auto [ec, fresh] = co_await connect_upstream(ctx.up, tls_ctx);
            if (ec) {
                ctx.log.reason = "upstream connect: " + ec.message();
                const bool timeout = ec == beast::error::timeout;
                ProxyOutcome o;
                o.error_response = error_response(timeout ? http::status::gateway_timeout : http::status::bad_gateway,
                                                  timeout ? "The upstream did not answer in time."
                                                          : "The upstream cannot be reached.",
                                                  accept, ctx.client_version);
                co_return o;
            }
            conn = std::move(fresh);
        }
        const bool may_retry = conn->reused;
        std::pair<detail::Failure, ProxyOutcome> r;
        if (conn->tls)
            r = co_await detail::exchange(ctx, client, cbuf, p, *conn->tls, *conn, head_request, client_keep_alive,
                                          may_retry);
        else
            r = co_await detail::exchange(ctx, client, cbuf, p, *conn->plain, *conn, head_request, client_keep_alive,
                                          may_retry);
        auto& [failure, outcome] = r;
        switch (failure) {
            case detail::Failure::none:
                ctx.w.pool.give_back(ctx.up.name, std::move(conn), ctx.up.max_idle_per_thread);
                co_return std::move(outcome);
            case detail::Failure::retryable:
                continue;  // a pooled connection the upstream had closed: once more on a fresh one
            case detail::Failure::upstream:
                outcome.error_response = error_response(http::status::bad_gateway, "The upstream failed to answer.",
                                                        accept, ctx.client_version);
                co_return std::move(outcome);
            case detail::Failure::upstream_timeout:
                outcome.error_response = error_response(http::status::gateway_timeout,
                                                        "The upstream did not answer in time.", accept, ctx.client_version);
                co_return std::move(outcome);
            case detail::Failure::client:
                co_return std::move(outcome);
        }
    }
    ProxyOutcome o;
    o.error_response = error_response(http::status::bad_gateway, "The upstream failed to answer.", accept, ctx.client_version);
    co_return o;
}

}  // namespace gk::server

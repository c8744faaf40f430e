// The one include of Boost.Asio for the server layer, with the coroutine support
// Tessera uses (Asio 1.18: co_spawn, use_awaitable, redirect_error; no as_tuple).
// g++ 12 needs <utility> before Asio's coroutine headers.
#pragma once

// Its own include block, so that formatting never sorts it after Asio.
#include <utility>

#include <boost/asio.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace tessera::server {

namespace asio = boost::asio;
using tcp = boost::asio::ip::tcp;
template <typename T>
using awaitable = boost::asio::awaitable<T>;

}  // namespace tessera::server

// run_blocking: runs a blocking function (an ingest parse, apply or fsync) on a thread
// pool and resumes the awaiting coroutine on its own executor with the result, so
// the io threads keep serving every other connection meanwhile.
#pragma once

#include <optional>
#include <type_traits>

#include "server/asio.h"

namespace tessera::server {

// Exceptions thrown by `fn` are rethrown in the awaiting coroutine (which has the
// session's catch boundary). `fn` and what it references must stay alive until the
// await completes, which holds for locals of the awaiting coroutine.
template <typename Fn>
awaitable<std::invoke_result_t<Fn&>> run_blocking(asio::thread_pool& pool, Fn fn) {
  using R = std::invoke_result_t<Fn&>;
  if constexpr (std::is_void_v<R>) {
    co_await asio::co_spawn(
        pool.get_executor(),
        [&fn]() -> awaitable<void> {
          fn();
          co_return;
        },
        asio::use_awaitable);
  } else {
    // co_spawn of awaitable<T> wants a default-constructible T; Result<T> is not.
    std::optional<R> result;
    co_await asio::co_spawn(
        pool.get_executor(),
        [&fn, &result]() -> awaitable<void> {
          result.emplace(fn());
          co_return;
        },
        asio::use_awaitable);
    co_return std::move(*result);
  }
}

}  // namespace tessera::server

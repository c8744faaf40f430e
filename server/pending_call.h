// PendingCall: a blocking function started on a thread pool whose result the
// starting coroutine awaits later, so that it can keep working (reading the next
// input) while the call runs. run_blocking() (blocking_call.h) is the start-and-await
// form.
#pragma once

#include <exception>
#include <memory>
#include <optional>
#include <utility>

#include "server/asio.h"

namespace tessera::server {

template <typename R>
class PendingCall {
 public:
  PendingCall() = default;

  // Starts fn() on `pool`; its result is handed to `executor` (the starting
  // session's strand), whose io_context keeps running until it is. `fn` must own
  // what it uses: the caller may end before the call does. An exception thrown by
  // fn() is rethrown by wait().
  template <typename Fn>
  static PendingCall start(asio::thread_pool& pool, asio::any_io_executor executor, Fn fn) {
    PendingCall call;
    call.state_ = std::make_shared<State>(executor);
    // An executor that counts as outstanding work while any copy of it lives.
    asio::any_io_executor work = asio::prefer(executor, asio::execution::outstanding_work.tracked);
    asio::post(pool, [state = call.state_, fn = std::move(fn), work = std::move(work)]() mutable {
      std::optional<R> result;
      std::exception_ptr error;
      try {
        result.emplace(fn());
      } catch (...) {
        error = std::current_exception();  // rethrown in the awaiting coroutine
      }
      asio::any_io_executor target = work;
      asio::post(target, [state = std::move(state), result = std::move(result), error,
                          work = std::move(work)]() mutable {
        state->result = std::move(result);
        state->error = error;
        state->is_done = true;
        state->done.cancel();
      });
    });
    return call;
  }

  // True from start() until wait() returned.
  bool is_pending() const { return state_ != nullptr; }

  // Waits for the result. Requires: is_pending(); called from the strand passed to
  // start().
  awaitable<R> wait() {
    std::shared_ptr<State> state = std::move(state_);
    while (!state->is_done) {
      boost::system::error_code ec;  // operation_aborted: the result arrived
      co_await state->done.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    if (state->error) std::rethrow_exception(state->error);
    co_return std::move(*state->result);
  }

 private:
  struct State {
    explicit State(const asio::any_io_executor& executor)
        : done(executor, asio::steady_timer::time_point::max()) {}
    asio::steady_timer done;  // cancelled when the result arrives
    bool is_done = false;
    std::optional<R> result;
    std::exception_ptr error;
  };
  std::shared_ptr<State> state_;
};

}  // namespace tessera::server

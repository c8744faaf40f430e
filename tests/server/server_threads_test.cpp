// What one query held inside the engine does not hold up: ingest, which runs on
// threads of its own (a write and its #sync are still acknowledged), and the query
// sessions served by the other query threads (each thread runs the statements it
// reads). Against a real Engine wrapped so that snapshot() waits until the test
// releases it; no sleeps, and a failure is reported after a bounded wait.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <string>

#include "engine/engine.h"
#include "server/client/query_client.h"
#include "server/client/tcp_client.h"
#include "server/server.h"
#include "tests/support/temp_dir.h"

namespace tessera::server {
namespace {

// An Engine whose snapshot() blocks, once held, until released; everything else
// goes to the wrapped engine.
class HoldingEngine final : public engine::Engine {
 public:
  explicit HoldingEngine(std::unique_ptr<engine::Engine> inner) : inner_(std::move(inner)) {}

  void hold() {
    std::lock_guard lock(mutex_);
    holding_ = true;
  }
  void release() {
    {
      std::lock_guard lock(mutex_);
      holding_ = false;
    }
    changed_.notify_all();
  }
  // Waits until a snapshot() call is held.
  void wait_until_held() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return held_ > 0; });
  }

  Result<engine::TableSnapshot> snapshot(std::string_view table,
                                         engine::TimeRange range) const override {
    {
      std::unique_lock lock(mutex_);
      if (holding_) {
        ++held_;
        changed_.notify_all();
        changed_.wait(lock, [&] { return !holding_; });
      }
    }
    return inner_->snapshot(table, range);
  }

  Result<engine::WriteReport> write(std::span<const engine::InputLine> lines,
                                    const engine::WriteOptions& options) override {
    return inner_->write(lines, options);
  }
  std::unique_ptr<engine::PreparedWrite> prepare_write(
      std::span<const engine::InputLine> lines, const engine::WriteOptions& options) override {
    return inner_->prepare_write(lines, options);
  }
  Result<engine::WriteReport> write_prepared(
      std::unique_ptr<engine::PreparedWrite> prepared) override {
    return inner_->write_prepared(std::move(prepared));
  }
  Status sync(uint64_t lsn) override { return inner_->sync(lsn); }
  Result<engine::WriteReport> write_text(std::string_view text,
                                         const engine::WriteOptions& options) override {
    return inner_->write_text(text, options);
  }
  Status create_table(const engine::TableSchema& schema) override {
    return inner_->create_table(schema);
  }
  std::vector<std::string> table_names() const override { return inner_->table_names(); }
  std::optional<engine::TableSchema> schema(std::string_view table) const override {
    return inner_->schema(table);
  }
  Status flush() override { return inner_->flush(); }
  engine::EngineStats stats() const override { return inner_->stats(); }

 private:
  std::unique_ptr<engine::Engine> inner_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  bool holding_ = false;
  mutable int held_ = 0;
};

std::string line(TcpClient& client) {
  auto l = client.read_line();
  return l.is_ok() ? *l : "<" + l.error().message + ">";
}

// A real engine in `dir`, wrapped to hold snapshots.
std::unique_ptr<HoldingEngine> open_holding_engine(const testing::TempDir& dir) {
  engine::EngineOptions options;
  options.data_dir = dir.path() / "data";
  auto opened = engine::Engine::open(options);
  if (!opened.is_ok()) return nullptr;
  return std::make_unique<HoldingEngine>(std::move(opened).value());
}

Result<std::unique_ptr<Server>> start_server(engine::Engine& engine, int query_threads) {
  ServerOptions options;
  options.ingest_port = 0;
  options.query_port = 0;
  options.query_threads = query_threads;
  options.write_threads = 1;
  return Server::start(engine, std::move(options));
}

// The first cell of `statement`'s answer on a connection of its own, asked in the
// background; "<failed>" for anything else.
std::future<std::string> first_cell_async(const Server& server, std::string statement) {
  const uint16_t port = server.query_endpoint().port();
  return std::async(std::launch::async, [port, statement] {
    auto client = TcpClient::connect("127.0.0.1", port);
    if (!client.is_ok()) return std::string("<failed>");
    auto reply = run_statement(**client, statement);
    return reply.is_ok() && reply->is_ok && reply->rows.size() == 1
               ? reply->rows[0][0].value_or("NULL")
               : std::string("<failed>");
  });
}

TEST(WritePoolTest, IngestIsAcknowledgedWhileEveryQueryThreadIsBusy) {
  testing::TempDir dir;
  auto engine = open_holding_engine(dir);
  ASSERT_NE(engine, nullptr);
  auto server = start_server(*engine, 1);
  ASSERT_TRUE(server.is_ok()) << server.error().message;

  auto writer = TcpClient::connect("127.0.0.1", (*server)->ingest_endpoint().port());
  ASSERT_TRUE(writer.is_ok());
  ASSERT_TRUE((*writer)->write_all("m,tenant=t1 v=1 1\n#sync a\n").is_ok());
  ASSERT_EQ(line(**writer), "ok a accepted=1 rejected=0");

  // The only query thread waits inside a query.
  engine->hold();
  auto answer = first_cell_async(**server, "SELECT count(*) FROM m");
  engine->wait_until_held();

  ASSERT_TRUE((*writer)->write_all("m,tenant=t1 v=2 2\n#sync b\n").is_ok());
  auto ack = std::async(std::launch::async, [&] { return line(**writer); });
  const bool acked_while_held = ack.wait_for(std::chrono::seconds(20)) == std::future_status::ready;
  engine->release();
  EXPECT_TRUE(acked_while_held) << "the ack waited for the query thread";
  EXPECT_EQ(ack.get(), "ok b accepted=1 rejected=0");
  // The held query saw both rows: its snapshot was taken after the release.
  EXPECT_EQ(answer.get(), "2");
  (*server)->stop();
  (*server)->wait();
}

TEST(QueryThreadsTest, AnotherSessionIsAnsweredWhileOneQueryIsHeld) {
  testing::TempDir dir;
  auto engine = open_holding_engine(dir);
  ASSERT_NE(engine, nullptr);
  ASSERT_TRUE(engine->write_text("m,tenant=t1 v=1 1\n", {}).is_ok());
  auto server = start_server(*engine, 2);
  ASSERT_TRUE(server.is_ok()) << server.error().message;

  // One query thread waits inside a query; the other runs a statement that takes
  // no snapshot.
  engine->hold();
  auto held_answer = first_cell_async(**server, "SELECT count(*) FROM m");
  engine->wait_until_held();
  auto other_answer = first_cell_async(**server, "SHOW TABLES");
  const bool answered_while_held =
      other_answer.wait_for(std::chrono::seconds(20)) == std::future_status::ready;
  engine->release();
  EXPECT_TRUE(answered_while_held) << "the second session waited for the held query";
  EXPECT_EQ(other_answer.get(), "m");
  EXPECT_EQ(held_answer.get(), "1");
  (*server)->stop();
  (*server)->wait();
}

}  // namespace
}  // namespace tessera::server

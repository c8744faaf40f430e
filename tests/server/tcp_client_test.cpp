// TcpClient::read_line against a local peer that sends known bytes in known pieces:
// many lines in one piece, a line cut across pieces, empty lines, a last line cut
// by the end of the stream.
#include "server/client/tcp_client.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace tessera::server {
namespace {

// Accepts one connection on a free loopback port and writes `pieces` to it one by
// one, each only after the client has asked for a line: the client's reads see them
// apart. Then closes the connection.
class PieceServer {
 public:
  explicit PieceServer(std::vector<std::string> pieces)
      : acceptor_(io_, tcp::endpoint(asio::ip::address_v4::loopback(), 0)),
        pieces_(std::move(pieces)) {
    thread_ = std::thread([this] {
      tcp::socket socket(io_);
      acceptor_.accept(socket);
      for (const std::string& piece : pieces_) {
        // Waits for the client's "next" byte, so that each piece arrives alone.
        char next = 0;
        asio::read(socket, asio::buffer(&next, 1));
        asio::write(socket, asio::buffer(piece));
      }
      boost::system::error_code ignored;
      socket.shutdown(tcp::socket::shutdown_both, ignored);
    });
  }
  ~PieceServer() { thread_.join(); }

  uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::vector<std::string> pieces_;
  std::thread thread_;
};

TEST(TcpClientTest, ReadsLinesAsTheyWereSentWhateverThePiecesTheyCameIn) {
  std::string many;
  std::vector<std::string> expected;
  for (int i = 0; i < 2000; ++i) {
    expected.push_back("row " + std::to_string(i) + "\tcell");
    many += expected.back() + "\n";
  }
  PieceServer server({many + "first half of a ", "line\n\nafter an empty one\nlast, cut"});
  auto client = TcpClient::connect("127.0.0.1", server.port());
  ASSERT_TRUE(client.is_ok()) << client.status().to_string();
  ASSERT_TRUE((*client)->write_all("n").is_ok());
  for (const std::string& line : expected) {
    auto read = (*client)->read_line();
    ASSERT_TRUE(read.is_ok()) << read.status().to_string();
    ASSERT_EQ(*read, line);
  }
  // The next line is cut across the two pieces: the client asks for the second.
  ASSERT_TRUE((*client)->write_all("n").is_ok());
  for (const std::string line : {"first half of a line", "", "after an empty one"}) {
    auto read = (*client)->read_line();
    ASSERT_TRUE(read.is_ok()) << read.status().to_string();
    EXPECT_EQ(*read, line);
  }
  // "last, cut" has no newline before the end of the stream.
  auto cut = (*client)->read_line();
  ASSERT_FALSE(cut.is_ok());
  EXPECT_EQ(cut.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(cut.status().to_string().find("connection closed by server"), std::string::npos)
      << cut.status().to_string();
}

}  // namespace
}  // namespace tessera::server

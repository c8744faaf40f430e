#include "server/client/tcp_client.h"

namespace tessera::server {

Result<std::unique_ptr<TcpClient>> TcpClient::connect(const std::string& host, uint16_t port) {
  std::unique_ptr<TcpClient> client(new TcpClient());
  boost::system::error_code ec;
  tcp::resolver resolver(client->io_);
  const auto endpoints = resolver.resolve(host, std::to_string(port), ec);
  if (!ec) asio::connect(client->socket_, endpoints, ec);
  if (ec) {
    return make_error(ErrorCode::kUnavailable, "cannot connect to " + host + ":" +
                                                   std::to_string(port) + ": " + ec.message());
  }
  client->socket_.set_option(tcp::no_delay(true), ec);
  return client;
}

Status TcpClient::write_all(std::string_view bytes) {
  boost::system::error_code ec;
  asio::write(socket_, asio::buffer(bytes.data(), bytes.size()), ec);
  if (ec) return make_error(ErrorCode::kUnavailable, "write failed: " + ec.message());
  return Status::ok();
}

Result<std::string> TcpClient::read_line() {
  while (true) {
    const size_t newline = buffer_.find('\n', scan_from_);
    if (newline != std::string::npos) {
      std::string line = buffer_.substr(line_start_, newline - line_start_);
      line_start_ = newline + 1;
      scan_from_ = line_start_;
      return line;
    }
    // Lines returned are dropped only before reading more, not one by one: a reply
    // of many rows read in one chunk is not moved up once per row.
    buffer_.erase(0, line_start_);
    line_start_ = 0;
    scan_from_ = buffer_.size();
    if (buffer_.size() > kMaxClientLineBytes) {
      return make_error(ErrorCode::kLimitExceeded,
                        "reply line exceeds " + std::to_string(kMaxClientLineBytes) + " bytes");
    }
    char chunk[64 * 1024];
    boost::system::error_code ec;
    const size_t n = socket_.read_some(asio::buffer(chunk), ec);
    if (ec == asio::error::eof)
      return make_error(ErrorCode::kUnavailable, "connection closed by server");
    if (ec) return make_error(ErrorCode::kUnavailable, "read failed: " + ec.message());
    buffer_.append(chunk, n);
  }
}

void TcpClient::shutdown_send() {
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_send, ignored);
}

}  // namespace tessera::server

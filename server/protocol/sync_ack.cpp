#include "server/protocol/sync_ack.h"

#include "server/protocol/wire_error.h"

namespace tessera::server {

void SyncAck::add_rejected(uint64_t line_number, std::string_view reason) {
  ++rejected_;
  if (rejected_ > kMaxErrLinesPerSync) return;
  err_lines_ += "err ";
  err_lines_ += std::to_string(line_number);
  err_lines_ += ' ';
  err_lines_ += flatten_message(reason);
  err_lines_ += '\n';
}

std::string SyncAck::take_reply(std::string_view id) {
  std::string out = std::move(err_lines_);
  if (rejected_ > kMaxErrLinesPerSync) {
    out += "err - " + std::to_string(rejected_ - kMaxErrLinesPerSync) +
           " more rejected lines omitted\n";
  }
  out += "ok ";
  out += id;
  out += " accepted=" + std::to_string(accepted_) + " rejected=" + std::to_string(rejected_) + '\n';
  accepted_ = 0;
  rejected_ = 0;
  err_lines_.clear();
  return out;
}

std::string SyncAck::take_failed_reply(std::string_view reason) {
  std::string out = std::move(err_lines_);
  if (rejected_ > kMaxErrLinesPerSync) {
    out += "err - " + std::to_string(rejected_ - kMaxErrLinesPerSync) +
           " more rejected lines omitted\n";
  }
  out += "err - " + flatten_message(reason) + '\n';
  accepted_ = 0;
  rejected_ = 0;
  err_lines_.clear();
  return out;
}

}  // namespace tessera::server

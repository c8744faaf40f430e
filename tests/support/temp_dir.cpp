#include "tests/support/temp_dir.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>

namespace tessera::testing {

TempDir::TempDir() {
  static std::atomic<int> counter{0};
  // The running test's name makes a leftover directory easy to trace.
  std::string name = "tessera-";
  if (const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info()) {
    name += std::string(info->test_suite_name()) + "-" + info->name() + "-";
  }
  name += std::to_string(::getpid()) + "-" + std::to_string(counter++);
  path_ = std::filesystem::temp_directory_path() / name;
  std::filesystem::remove_all(path_);
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace tessera::testing

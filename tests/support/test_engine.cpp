#include "tests/support/test_engine.h"

#include <gtest/gtest.h>

#include "engine/data_dir_layout.h"

namespace tessera::testing {

std::unique_ptr<engine::Engine> open_test_engine(const std::filesystem::path& dir,
                                                 engine::EngineOptions options) {
  options.data_dir = dir;
  auto engine = engine::Engine::open(options);
  EXPECT_TRUE(engine.is_ok()) << engine.status().to_string();
  return engine.is_ok() ? std::move(engine).value() : nullptr;
}

engine::WriteReport write_ok(engine::Engine& engine, std::string_view text,
                             engine::WriteOptions options) {
  auto report = engine.write_text(text, options);
  EXPECT_TRUE(report.is_ok()) << report.status().to_string();
  return report.is_ok() ? *report : engine::WriteReport{};
}

std::filesystem::path crash_image(const std::filesystem::path& live,
                                  const std::filesystem::path& copy) {
  std::filesystem::copy(live, copy, std::filesystem::copy_options::recursive);
  std::filesystem::remove(copy / engine::kLockFileName);
  return copy;
}

}  // namespace tessera::testing

// Opening and writing an engine in tests, with failures reported as test failures.
#pragma once

#include <filesystem>
#include <memory>
#include <string_view>

#include "engine/engine.h"

namespace tessera::testing {

// Opens an engine over `dir` (options.data_dir is set to it). On failure: a test
// failure naming the error, and nullptr.
std::unique_ptr<engine::Engine> open_test_engine(const std::filesystem::path& dir,
                                                 engine::EngineOptions options = {});

// Writes line-protocol `text`. On failure: a test failure naming the error, and an
// empty report.
engine::WriteReport write_ok(engine::Engine& engine, std::string_view text,
                             engine::WriteOptions options = {});

// Copies the data directory `live` of an open engine to `copy`, without its LOCK
// file: the bytes a crash would leave, for a second engine to open. Returns copy.
std::filesystem::path crash_image(const std::filesystem::path& live,
                                  const std::filesystem::path& copy);

}  // namespace tessera::testing

// A main() for the fuzz targets when libFuzzer is not available (g++, sanitizer CI):
// runs LLVMFuzzerTestOneInput over every file of the given corpus directories,
// then over deterministic random mutations of them, so every build exercises the
// targets. Usage:
//   NAME_fuzz_replay [--seed=S] [--mutations=N] [--max-seconds=T] [--verbose]
//                    [--save-mutant=K --out=FILE] DIR_OR_FILE...
// The seed is printed first; a failure in mutation K reproduces with the same
// seed, and --save-mutant=K writes that input to FILE (without running it) for a
// debugger or a real fuzzer. --max-seconds (default: none) bounds the mutation phase; the inputs
// run are always a prefix of the same deterministic sequence.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

// Mutants never grow past this, so one input stays cheap under sanitizers.
constexpr size_t kMaxMutantBytes = 64 * 1024;

struct Options {
  uint64_t seed = 20261122;
  uint64_t mutations = 2000;
  double max_seconds = 0;  // 0: no time bound, run every mutation
  bool is_verbose = false;
  int64_t save_mutant = -1;
  std::string out_path;
  std::vector<std::string> paths;
};

bool parse_uint(std::string_view text, uint64_t* out) {
  if (text.empty()) return false;
  uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9' || v > (UINT64_MAX - 9) / 10) return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  *out = v;
  return true;
}

bool parse_options(int argc, char** argv, Options* options) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    uint64_t n = 0;
    if (arg.starts_with("--seed=")) {
      if (!parse_uint(arg.substr(7), &options->seed)) return false;
    } else if (arg.starts_with("--mutations=")) {
      if (!parse_uint(arg.substr(12), &options->mutations)) return false;
    } else if (arg.starts_with("--max-seconds=")) {
      if (!parse_uint(arg.substr(14), &n)) return false;
      options->max_seconds = static_cast<double>(n);
    } else if (arg == "--verbose") {
      options->is_verbose = true;
    } else if (arg.starts_with("--save-mutant=")) {
      if (!parse_uint(arg.substr(14), &n)) return false;
      options->save_mutant = static_cast<int64_t>(n);
    } else if (arg.starts_with("--out=")) {
      options->out_path = std::string(arg.substr(6));
    } else if (arg.starts_with("--")) {
      return false;
    } else {
      options->paths.emplace_back(arg);
    }
  }
  return !options->paths.empty() && (options->save_mutant < 0 || !options->out_path.empty());
}

bool read_file(const std::filesystem::path& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

// Files of each path (a file, or a directory's regular files), in sorted order so
// the mutation sequence does not depend on directory iteration order.
bool collect_inputs(const std::vector<std::string>& paths, std::vector<std::string>* inputs) {
  for (const std::string& p : paths) {
    std::error_code ec;
    std::vector<std::filesystem::path> files;
    if (std::filesystem::is_directory(p, ec)) {
      for (const auto& entry : std::filesystem::directory_iterator(p, ec)) {
        if (entry.is_regular_file(ec)) files.push_back(entry.path());
      }
      if (ec) {
        std::fprintf(stderr, "cannot list %s: %s\n", p.c_str(), ec.message().c_str());
        return false;
      }
    } else {
      files.emplace_back(p);
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      std::string bytes;
      if (!read_file(file, &bytes)) {
        std::fprintf(stderr, "cannot read %s\n", file.c_str());
        return false;
      }
      inputs->push_back(std::move(bytes));
    }
  }
  return true;
}

// Bytes that often sit on parser boundaries.
constexpr uint8_t kInterestingBytes[] = {0x00, 0x01, 0x7f, 0x80, 0xff, '\n', '\r', '\t',
                                         ' ',  ',',  '=',  '"',  '\\', '#',  '0',  '9'};

// One to four random edits of a corpus input: flip a bit, set a byte, insert or
// erase a run, truncate, duplicate a run, or splice in part of another input.
std::string mutate(const std::vector<std::string>& inputs, std::mt19937_64& rng) {
  auto below = [&rng](size_t n) { return n == 0 ? size_t{0} : static_cast<size_t>(rng() % n); };
  std::string s = inputs[below(inputs.size())];
  const size_t edits = 1 + below(4);
  for (size_t e = 0; e < edits; ++e) {
    switch (below(8)) {
      case 0:
        if (!s.empty()) s[below(s.size())] ^= static_cast<char>(1u << below(8));
        break;
      case 1:
        if (!s.empty()) {
          s[below(s.size())] =
              static_cast<char>(kInterestingBytes[below(sizeof kInterestingBytes)]);
        }
        break;
      case 2:
        s.insert(below(s.size() + 1), 1 + below(8), static_cast<char>(rng()));
        break;
      case 3:
        if (!s.empty()) {
          const size_t at = below(s.size());
          s.erase(at, 1 + below(s.size() - at));
        }
        break;
      case 4:
        s.resize(below(s.size() + 1));
        break;
      case 5:
        if (!s.empty()) {
          const size_t at = below(s.size());
          const std::string run = s.substr(at, 1 + below(16));
          s.insert(below(s.size() + 1), run);
        }
        break;
      case 6: {
        const std::string& other = inputs[below(inputs.size())];
        if (!other.empty()) {
          const size_t at = below(other.size());
          s.insert(below(s.size() + 1), other.substr(at, 1 + below(other.size() - at)));
        }
        break;
      }
      default:
        if (!s.empty()) s[below(s.size())] = static_cast<char>(rng());
        break;
    }
  }
  if (s.size() > kMaxMutantBytes) s.resize(kMaxMutantBytes);
  return s;
}

void run_one(const std::string& input) {
  // A copy into an exactly-sized heap buffer, so ASan catches reads past the end.
  std::vector<uint8_t> bytes(input.begin(), input.end());
  LLVMFuzzerTestOneInput(bytes.empty() ? nullptr : bytes.data(), bytes.size());
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!parse_options(argc, argv, &options)) {
    std::fprintf(stderr,
                 "usage: %s [--seed=S] [--mutations=N] [--max-seconds=T] [--verbose] "
                 "[--save-mutant=K --out=FILE] DIR_OR_FILE...\n",
                 argv[0]);
    return 2;
  }
  std::vector<std::string> inputs;
  if (!collect_inputs(options.paths, &inputs)) return 2;
  if (inputs.empty()) {
    std::fprintf(stderr, "no corpus files\n");
    return 2;
  }
  std::printf("seed %llu, %zu corpus inputs\n", static_cast<unsigned long long>(options.seed),
              inputs.size());
  std::fflush(stdout);

  std::mt19937_64 rng(options.seed);
  if (options.save_mutant >= 0) {
    std::string mutant;
    for (int64_t k = 0; k <= options.save_mutant; ++k) mutant = mutate(inputs, rng);
    std::ofstream out(options.out_path, std::ios::binary);
    out.write(mutant.data(), static_cast<std::streamsize>(mutant.size()));
    return out ? 0 : 1;
  }

  for (const std::string& input : inputs) run_one(input);
  run_one(std::string());

  const auto start = std::chrono::steady_clock::now();
  uint64_t done = 0;
  for (; done < options.mutations; ++done) {
    if (done % 64 == 0) {
      const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
      if (options.max_seconds > 0 && elapsed.count() > options.max_seconds) break;
    }
    const std::string mutant = mutate(inputs, rng);
    if (options.is_verbose) {
      std::printf("mutant %llu (%zu bytes)\n", static_cast<unsigned long long>(done),
                  mutant.size());
      std::fflush(stdout);
    }
    run_one(mutant);
  }
  std::printf("ran %zu corpus inputs and %llu mutants: ok\n", inputs.size(),
              static_cast<unsigned long long>(done));
  return 0;
}

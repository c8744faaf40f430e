// ChildProcess: runs a program (the built `tessera`) with pipes on its stdout and
// stderr, for tests that drive the real binary: start-up line, signals, restarts.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace tessera::testing {

struct ChildProcess {
  pid_t pid = -1;
  int stdout_fd = -1;
  int stderr_fd = -1;
};

// Starts `binary` with `args` (argv[0] is the binary itself).
ChildProcess spawn(const std::string& binary, const std::vector<std::string>& args);
// Everything the descriptor yields until end of file.
std::string read_all(int fd);
// One line without its '\n' (empty at end of file).
std::string read_first_line(int fd);
// Waits for the child: its exit code, or 128 + the signal that ended it.
int wait_exit(pid_t pid);
// Closes the child's pipes.
void close_pipes(const ChildProcess& child);

// The port after `name=<addr>:` in a `listening ingest=... query=...` line, or 0.
int listening_port(const std::string& line, const std::string& name);

}  // namespace tessera::testing

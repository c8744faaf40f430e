#include <cstdio>

int main() {
  std::puts("tessera: not yet wired");
  return 0;
}

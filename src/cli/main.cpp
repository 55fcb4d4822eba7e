// fidcpp command line (placeholder until the CLI lands).
#include <cstdio>
int main() {
  std::fprintf(stderr, "fidcpp: not implemented yet\n");
  return 1;
}

/* hello: the first program wpm builds. It greets whoever is named on its command line. */
#include <stdio.h>

int main(int argc, char **argv) {
  if (argc < 2) {
    printf("Hello from wpm! (try: wpm run ./result -- NAME)\n");
    return 0;
  }
  for (int i = 1; i < argc; i++) printf("Hello, %s! This program was built by clang.wasm under wpm.\n", argv[i]);
  return 0;
}

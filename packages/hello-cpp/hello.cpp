// hello-cpp: a C++ program built by clang++.wasm against the sysroot's libc++. It prints through
// iostream and uses the standard containers and algorithms, so a broken libc++ link shows.
#include <algorithm>
#include <iostream>
#include <map>
#include <string>
#include <vector>

int main(int argc, char **argv) {
  std::vector<std::string> names(argv + 1, argv + argc);
  if (names.empty()) names.push_back("world");
  std::sort(names.begin(), names.end());
  std::map<char, int> initials;
  for (const auto &n : names) initials[n.empty() ? '?' : n[0]]++;
  for (const auto &n : names) std::cout << "Hello, " << n << ", from C++ and libc++!" << std::endl;
  std::cout << names.size() << (names.size() == 1 ? " name, " : " names, ") << initials.size()
            << (initials.size() == 1 ? " initial" : " initials") << '\n';
  return 0;
}

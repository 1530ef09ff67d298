// The main of the fuzz targets in ordinary builds (no libFuzzer): runs every file given, and every
// file in every directory given, once through LLVMFuzzerTestOneInput. Options libFuzzer takes
// (-runs=0, -timeout=…) are accepted and ignored so that ctest calls both builds alike.
// A crash aborts (and the sanitizers of the build, if any, explain it); exit 0 otherwise.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace fs = std::filesystem;

namespace {

bool run_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "fuzz replay: cannot read %s\n", file.c_str());
    return false;
  }
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // A copy of exactly the input's size, so that reading past its end is caught by ASan.
  std::vector<uint8_t> data(bytes.begin(), bytes.end());
  LLVMFuzzerTestOneInput(data.empty() ? nullptr : data.data(), data.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  int ran = 0;
  bool ok = true;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.starts_with("-")) continue;
    std::error_code ec;
    if (fs::is_directory(arg, ec)) {
      std::vector<fs::path> files;
      for (const auto& e : fs::recursive_directory_iterator(arg))
        if (e.is_regular_file()) files.push_back(e.path());
      std::sort(files.begin(), files.end());  // a stable order to reproduce a failure
      for (const auto& f : files) ok = run_file(f) && ok, ++ran;
    } else if (fs::is_regular_file(arg, ec)) {
      ok = run_file(arg) && ok;
      ++ran;
    } else {
      std::fprintf(stderr, "fuzz replay: no such file or directory: %s\n", arg.c_str());
      ok = false;
    }
  }
  std::printf("fuzz replay: %d input(s) run\n", ran);
  return ok ? 0 : 1;
}

#include "data_dir.h"

#include <cstdlib>
#include <fstream>

namespace pistesim::cli {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kRemedy =
    "set PISTESIM_DATA_DIR to the directory holding scenarios/, conformance/ and loadgen/profiles/ "
    "(share/pistesim under the install prefix, or the source tree)";

bool is_dir(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}

// The source tree a build-tree binary was built from: the first line of the marker.
fs::path marked_source_tree(const fs::path& exe_dir) {
  std::ifstream in(exe_dir / kSourceTreeMarker);
  std::string line;
  if (!in || !std::getline(in, line) || line.empty()) return {};
  return line;
}

}  // namespace

Result<fs::path> find_data_dir() {
  if (const char* env = std::getenv("PISTESIM_DATA_DIR"); env && *env) {
    if (is_dir(env)) return fs::path(env);
    return Error{"PISTESIM_DATA_DIR=" + std::string(env) + " is not a directory"};
  }
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec)
    return Error{"no pistesim data directory: /proc/self/exe unreadable (" + ec.message() +
                 ") and PISTESIM_DATA_DIR unset; " + std::string(kRemedy)};
  const fs::path exe_dir = exe.parent_path();
  const fs::path installed = (exe_dir.parent_path() / "share" / "pistesim").lexically_normal();
  if (is_dir(installed)) return installed;
  const fs::path source = marked_source_tree(exe_dir);
  if (!source.empty() && is_dir(source)) return source;
  std::string error = "no pistesim data directory: PISTESIM_DATA_DIR is unset, " +
                      installed.string() + " does not exist";
  error += source.empty()
               ? ", and " + exe_dir.string() + " is not a build tree (no " +
                     std::string(kSourceTreeMarker) + ")"
               : ", and the source tree " + source.string() + " named by the build tree is gone";
  return Error{error + "; " + std::string(kRemedy)};
}

Result<std::string> shipped_path(std::string_view relative) {
  auto data = find_data_dir();
  if (!data) return data.error();
  fs::path path = *data / relative;
  std::error_code ec;
  if (!fs::exists(path, ec))
    return Error{path.string() + ": not found in the pistesim data directory " + data->string() +
                 " (an incomplete install, or a PISTESIM_DATA_DIR that is not one)"};
  fs::path rel = fs::proximate(path, ec);
  if (!ec && !rel.empty() && *rel.begin() != "..") return rel.string();
  return path.string();
}

}  // namespace pistesim::cli

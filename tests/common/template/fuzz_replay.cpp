// Runs the fuzz target without libFuzzer (GCC builds, CTest): replays the
// files and directories given on the command line, then mutates the seed
// corpus for --iterations rounds with a fixed seed. Exit 0 unless an input
// crashes (which aborts the process under ASan/UBSan or __builtin_trap).
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

void run(const std::string& input) {
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
}

std::string mutate(const std::string& seed, const std::vector<std::string>& corpus,
                   std::mt19937& rng) {
  static const char* kTokens[] = {
      "{{",       "}}",       "{%",      "%}",     "{#",       "#}",     "-",          "+",
      "(",        ")",        "[",       "]",      "{",        "}",      "'",          "\"",
      "|",        ".",        ",",       ":",      "~",        "*",      "**",         " if ",
      " else ",   " for ",    " in ",    " is ",   " not ",    "endfor", "endif",      "macro",
      "endmacro", "set ",     "raw",     "endraw", "\n",       "\\",     "0x",         "1e",
      "loop",     "caller()", "super()", "range(", "|default", "|join",  "namespace(", "None"};
  std::string s = seed;
  int edits = 1 + static_cast<int>(rng() % 6);
  for (int e = 0; e < edits; ++e) {
    size_t pos = s.empty() ? 0 : rng() % (s.size() + 1);
    switch (rng() % 5) {
      case 0:
        s.insert(pos, kTokens[rng() % (sizeof kTokens / sizeof kTokens[0])]);
        break;
      case 1:
        if (!s.empty()) s.erase(pos % s.size(), 1 + rng() % 8);
        break;
      case 2:
        if (!s.empty()) s[pos % s.size()] = static_cast<char>(rng() % 256);
        break;
      case 3: {
        const std::string& other = corpus[rng() % corpus.size()];
        if (!other.empty()) {
          size_t a = rng() % other.size();
          s.insert(pos, other.substr(a, rng() % 40));
        }
        break;
      }
      default:
        s.insert(pos, std::string(1 + rng() % 4, static_cast<char>(' ' + rng() % 95)));
    }
  }
  if (s.size() > 4096) s.resize(4096);
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  long iterations = 0;
  std::vector<std::string> corpus;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--iterations") == 0 && i + 1 < argc) {
      iterations = std::atol(argv[++i]);
      continue;
    }
    std::filesystem::path p(argv[i]);
    std::vector<std::filesystem::path> files;
    if (std::filesystem::is_directory(p)) {
      for (const auto& e : std::filesystem::directory_iterator(p)) files.push_back(e.path());
    } else {
      files.push_back(p);
    }
    for (const auto& f : files) {
      std::ifstream in(f, std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      corpus.push_back(ss.str());
      run(corpus.back());
    }
  }
  if (corpus.empty()) corpus.push_back(std::string("\x10{{ 1 }}"));
  std::mt19937 rng(12345);
  for (long i = 0; i < iterations; ++i) {
    std::string input = mutate(corpus[rng() % corpus.size()], corpus, rng);
    if (input.empty()) input = "\x10";
    input[0] = static_cast<char>(input[0] | 16);  // also render
    run(input);
  }
  std::cout << "replayed " << corpus.size() << " inputs and " << iterations << " mutations\n";
  return 0;
}

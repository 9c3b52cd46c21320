#include "master/key_cli.h"

#include <unistd.h>

#include <boost/program_options.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "common/config/config.h"
#include "common/crypto/crypto.h"
#include "common/log/log.h"
#include "common/output/output.h"
#include "master/keystore.h"
#include "master/local_client.h"

namespace brine::master {
namespace {
namespace po = boost::program_options;
namespace fs = std::filesystem;

constexpr int kUsageExit = 64;
constexpr const char* kUsage = "Usage: brine-key [options]";

struct Options {
  std::string config_dir;
  std::string log_level;
  std::string list;
  bool list_all = false;
  std::string accept, reject, del, finger, print;
  bool accept_all = false, reject_all = false, delete_all = false, finger_all = false,
       print_all = false;
  bool yes = false, quiet = false;
  bool include_rejected = false, include_denied = false, include_accepted = false,
       include_all = false;
  std::string gen_keys, gen_keys_dir = ".";
  std::string out = "key";
  int out_indent = 4;
  bool out_indent_set = false;
  bool no_color = false;
};

std::vector<std::string> split_globs(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string part;
  while (std::getline(ss, part, ',')) {
    if (!part.empty()) out.push_back(part);
  }
  return out;
}

bool any_match(const std::vector<std::string>& globs, const std::string& id) {
  for (const auto& g : globs) {
    if (glob_match(g, id)) return true;
  }
  return false;
}

class KeyCommand {
 public:
  KeyCommand(Options o, Value opts, std::istream& in, std::ostream& out, std::ostream& err)
      : o_(std::move(o)),
        opts_(std::move(opts)),
        store_(opts_.get_string("pki_dir")),
        in_(in),
        out_(out),
        err_(err) {}

  int run() {
    if (auto s = store_.ensure_dirs(); !s) return fail(s.error().to_string());
    if (!o_.gen_keys.empty()) return gen_keys();
    if (!o_.accept.empty() || o_.accept_all) return accept();
    if (!o_.reject.empty() || o_.reject_all) return reject();
    if (!o_.del.empty() || o_.delete_all) return remove();
    if (!o_.finger.empty() || o_.finger_all) return fingers(o_.finger_all ? "*" : o_.finger);
    if (!o_.print.empty() || o_.print_all) return print(o_.print_all ? "*" : o_.print);
    if (!o_.list.empty()) return list_one(o_.list);
    return list(kAllKeyStates);
  }

 private:
  int fail(const std::string& msg) {
    if (!o_.quiet) err_ << "brine-key: error: " << msg << "\n";
    return 1;
  }

  void emit(const Value& data) {
    output::Options oo;
    oo.color = !o_.no_color && ::isatty(STDOUT_FILENO) && &out_ == &std::cout;
    if (o_.out_indent_set) oo.indent = o_.out_indent;
    auto text = output::render(o_.out, data, oo);
    out_ << (text ? output::display_text(*text) : text.error().to_string() + "\n");
  }

  // Data in the issue's order: minions, minions_pre, minions_rejected, minions_denied.
  static constexpr std::array<KeyState, 4> kJsonOrder = {KeyState::kAccepted, KeyState::kPending,
                                                         KeyState::kRejected, KeyState::kDenied};

  template <size_t N>
  int list(const std::array<KeyState, N>& states) {
    Value data = Value::map();
    for (auto s : kJsonOrder) {
      if (std::find(states.begin(), states.end(), s) == states.end()) continue;
      List ids;
      for (auto& id : store_.list(s)) ids.emplace_back(id);
      data[dir_name(s)] = Value(std::move(ids));
    }
    emit(data);
    return 0;
  }

  int list_one(const std::string& arg) {
    auto is = [&](std::initializer_list<const char*> names) {
      for (auto n : names) {
        if (arg == n) return true;
      }
      return false;
    };
    if (is({"acc", "accepted"})) return list(std::array{KeyState::kAccepted});
    if (is({"pre", "un", "unaccepted"})) return list(std::array{KeyState::kPending});
    if (is({"rej", "rejected"})) return list(std::array{KeyState::kRejected});
    if (is({"den", "denied"})) return list(std::array{KeyState::kDenied});
    if (is({"all"})) return list(kAllKeyStates);
    err_ << kUsage << "\nbrine-key: error: '" << arg << "' is not a valid argument to '--list'\n";
    return kUsageExit;
  }

  // Ids matching `globs` in each of `states`, in listing order.
  std::vector<std::pair<KeyState, std::string>> matches(const std::vector<std::string>& globs,
                                                        std::initializer_list<KeyState> states) {
    std::vector<std::pair<KeyState, std::string>> out;
    for (auto s : kAllKeyStates) {
      if (std::find(states.begin(), states.end(), s) == states.end()) continue;
      for (auto& id : store_.list(s)) {
        if (any_match(globs, id)) out.emplace_back(s, id);
      }
    }
    return out;
  }

  static std::string describe(std::initializer_list<KeyState> states) {
    std::vector<std::string> names;
    for (auto s : states) {
      switch (s) {
        case KeyState::kAccepted:
          names.emplace_back("accepted");
          break;
        case KeyState::kPending:
          names.emplace_back("unaccepted");
          break;
        case KeyState::kRejected:
          names.emplace_back("rejected");
          break;
        case KeyState::kDenied:
          names.emplace_back("denied");
          break;
      }
    }
    std::string s;
    for (size_t i = 0; i < names.size(); ++i) {
      if (i) s += (i + 1 == names.size()) ? (names.size() > 2 ? ", or " : " or ") : ", ";
      s += names[i];
    }
    // Salt's wording: "unaccepted, rejected or denied".
    if (names.size() > 2) s.replace(s.rfind(", or "), 5, " or ");
    return s;
  }

  bool confirm(const std::string& verb, const std::vector<std::pair<KeyState, std::string>>& m,
               bool default_yes) {
    if (o_.yes) return true;
    out_ << "The following keys are going to be " << verb << ":\n";
    Value data = Value::map();
    for (auto& [s, id] : m) data[dir_name(s)].push_back(id);
    auto text = output::render("key", data, {});
    if (text) out_ << output::display_text(*text);
    out_ << (default_yes ? "Proceed? [n/Y] " : "Proceed? [N/y] ") << std::flush;
    std::string answer;
    if (!std::getline(in_, answer)) answer.clear();
    if (answer.empty()) return default_yes;
    return answer[0] == 'y' || answer[0] == 'Y';
  }

  // Applies one key change per match and tells a running master.
  int change(const std::string& glob_arg, std::initializer_list<KeyState> from,
             const std::string& verb, const std::string& act, bool default_yes,
             const std::function<Status(KeyState, const std::string&)>& op) {
    auto globs = split_globs(glob_arg);
    auto m = matches(globs, from);
    if (m.empty()) {
      out_ << "The key glob '" << glob_arg << "' does not match any " << describe(from)
           << " keys.\n";
      return 0;
    }
    if (!confirm(verb, m, default_yes)) return 0;
    Value events = Value::list();
    std::set<std::string> done;
    int rc = 0;
    for (auto& [s, id] : m) {
      if (auto st = op(s, id); !st) {
        err_ << "brine-key: error: " << st.error().to_string() << "\n";
        rc = 1;
        continue;
      }
      if (done.insert(id).second) {
        out_ << "Key for minion " << id << " " << verb << ".\n";
        events.push_back(Value::map({{"act", act}, {"id", id}}));
      }
    }
    notify(events);
    return rc;
  }

  int accept() {
    std::vector<KeyState> from_v = {KeyState::kPending};
    bool rej = o_.include_rejected || o_.include_all, den = o_.include_denied;
    auto op = [&](KeyState s, const std::string& id) {
      return store_.move(id, s, KeyState::kAccepted);
    };
    std::string glob = o_.accept_all ? "*" : o_.accept;
    if (rej && den)
      return change(glob, {KeyState::kPending, KeyState::kRejected, KeyState::kDenied}, "accepted",
                    "accept", true, op);
    if (rej)
      return change(glob, {KeyState::kPending, KeyState::kRejected}, "accepted", "accept", true,
                    op);
    if (den)
      return change(glob, {KeyState::kPending, KeyState::kDenied}, "accepted", "accept", true, op);
    return change(glob, {KeyState::kPending}, "accepted", "accept", true, op);
  }

  int reject() {
    bool acc = o_.include_accepted || o_.include_all, den = o_.include_denied;
    auto op = [&](KeyState s, const std::string& id) {
      return store_.move(id, s, KeyState::kRejected);
    };
    std::string glob = o_.reject_all ? "*" : o_.reject;
    if (acc && den)
      return change(glob, {KeyState::kPending, KeyState::kAccepted, KeyState::kDenied}, "rejected",
                    "reject", true, op);
    if (acc)
      return change(glob, {KeyState::kPending, KeyState::kAccepted}, "rejected", "reject", true,
                    op);
    if (den)
      return change(glob, {KeyState::kPending, KeyState::kDenied}, "rejected", "reject", true, op);
    return change(glob, {KeyState::kPending}, "rejected", "reject", true, op);
  }

  int remove() {
    auto op = [&](KeyState s, const std::string& id) { return store_.remove(s, id); };
    return change(o_.delete_all ? "*" : o_.del,
                  {KeyState::kAccepted, KeyState::kDenied, KeyState::kPending, KeyState::kRejected},
                  "deleted", "delete", false, op);
  }

  // Local keys (master.pem, master.pub: every *.pem/*.pub in pki_dir) matching globs.
  Value local_keys(const std::vector<std::string>& globs, bool text) {
    Value local = Value::map();
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(store_.pki_dir(), ec)) {
      auto name = e.path().filename().string();
      if (e.is_regular_file() && (name.ends_with(".pem") || name.ends_with(".pub")) &&
          any_match(globs, name)) {
        names.push_back(name);
      }
    }
    std::sort(names.begin(), names.end());
    for (auto& n : names) {
      std::ifstream f(store_.pki_dir() / n);
      std::stringstream ss;
      ss << f.rdbuf();
      if (!f) {
        local[n] = "<unreadable>";
        continue;
      }
      local[n] = text ? ss.str() : crypto::fingerprint_text(ss.str());
    }
    return local;
  }

  int show(const std::string& glob_arg, bool text) {
    auto globs = split_globs(glob_arg);
    Value data = Value::map();
    Value local = local_keys(globs, text);
    if (!text && !local.as_map().empty()) data["local"] = local;
    for (auto s : kJsonOrder) {
      for (auto& id : store_.list(s)) {
        if (!any_match(globs, id)) continue;
        auto key = store_.read(s, id);
        if (!key) continue;
        data[dir_name(s)][id] = text ? *key : crypto::fingerprint_text(*key);
      }
    }
    emit(data);
    return 0;
  }
  int fingers(const std::string& g) { return show(g, false); }
  int print(const std::string& g) { return show(g, true); }

  int gen_keys() {
    if (auto s = crypto::init(); !s) return fail(s.error().to_string());
    fs::path dir = o_.gen_keys_dir;
    auto kp = crypto::generate_keypair();
    auto s = crypto::write_keypair(kp, dir / (o_.gen_keys + ".pem"), dir / (o_.gen_keys + ".pub"));
    if (!s) return fail(s.error().to_string());
    Value data = Value::map();
    data["local"][o_.gen_keys + ".pub"] = crypto::fingerprint(kp.pub);
    emit(data);
    return 0;
  }

  void notify(const Value& events) {
    if (events.as_list().empty()) return;
    auto client = LocalClient::connect(opts_);
    if (!client) return;
    auto r = (*client)->call("key_event", Value::map({{"events", events}}),
                             std::chrono::milliseconds(2000));
    if (!r) {
      log::get("key")->debug("master not notified ({}); it picks up key changes by itself",
                             r.error().to_string());
    }
  }

  Options o_;
  Value opts_;
  KeyStore store_;
  std::istream& in_;
  std::ostream& out_;
  std::ostream& err_;
};

}  // namespace

int key_main(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
             std::ostream& err) {
  Options o;
  po::options_description desc("Options");
  // clang-format off
  desc.add_options()
    ("help,h", "show this help message and exit")
    ("version", "show program's version number and exit")
    ("config-dir,c", po::value(&o.config_dir), "configuration directory (default /etc/brine)")
    ("log-level", po::value(&o.log_level), "console log level")
    ("list-all,L", po::bool_switch(&o.list_all), "list all keys")
    ("list,l", po::value(&o.list), "list keys: acc, pre, un, rej, den or all")
    ("accept,a", po::value(&o.accept), "accept pending keys matching a glob")
    ("accept-all,A", po::bool_switch(&o.accept_all), "accept all pending keys")
    ("reject,r", po::value(&o.reject), "reject keys matching a glob")
    ("reject-all,R", po::bool_switch(&o.reject_all), "reject all pending keys")
    ("delete,d", po::value(&o.del), "delete keys matching a glob")
    ("delete-all,D", po::bool_switch(&o.delete_all), "delete all keys")
    ("finger,f", po::value(&o.finger), "print fingerprints of keys matching a glob")
    ("finger-all,F", po::bool_switch(&o.finger_all), "print all fingerprints")
    ("print,p", po::value(&o.print), "print public keys matching a glob")
    ("print-all,P", po::bool_switch(&o.print_all), "print all public keys")
    ("yes,y", po::bool_switch(&o.yes), "answer yes to every question")
    ("quiet,q", po::bool_switch(&o.quiet), "suppress error output")
    ("include-rejected", po::bool_switch(&o.include_rejected), "accept: include rejected keys")
    ("include-denied", po::bool_switch(&o.include_denied), "accept/reject: include denied keys")
    ("include-accepted", po::bool_switch(&o.include_accepted), "reject: include accepted keys")
    ("include-all", po::bool_switch(&o.include_all), "include rejected (accept) / accepted (reject) keys")
    ("gen-keys", po::value(&o.gen_keys), "write a key pair NAME.pem/NAME.pub")
    ("gen-keys-dir", po::value(&o.gen_keys_dir), "directory for --gen-keys (default .)")
    ("out", po::value(&o.out), "outputter: key (default), json, yaml, txt, nested, raw")
    ("out-indent", po::value(&o.out_indent), "indent for json/yaml output")
    ("no-color", po::bool_switch(&o.no_color), "disable colors");
  // clang-format on
  po::variables_map vm;
  try {
    std::vector<std::string> rest(args.begin() + (args.empty() ? 0 : 1), args.end());
    po::store(po::command_line_parser(rest).options(desc).run(), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    err << kUsage << "\nbrine-key: error: " << e.what() << "\n";
    return kUsageExit;
  }
  if (vm.count("help")) {
    out << kUsage << "\n\n" << desc;
    return 0;
  }
  if (vm.count("version")) {
    out << "brine-key " << BRINE_VERSION << "\n";
    return 0;
  }
  o.out_indent_set = vm.count("out-indent") > 0;
  if (o.out == "text") o.out = "txt";
  int actions = !o.accept.empty() + o.accept_all + !o.reject.empty() + o.reject_all +
                !o.del.empty() + o.delete_all + !o.finger.empty() + o.finger_all +
                !o.print.empty() + o.print_all + !o.list.empty() + o.list_all + !o.gen_keys.empty();
  if (actions > 1) {
    err << kUsage << "\nbrine-key: error: only one key action can be given at a time\n";
    return kUsageExit;
  }

  auto loaded = config::load(config::Role::kMaster, {o.config_dir});
  if (!loaded) {
    err << "brine-key: error: " << loaded.error().to_string() << "\n";
    return 2;
  }
  log::Options lo;
  auto level = log::parse_level(o.log_level.empty() ? "warning" : o.log_level);
  if (!level) {
    err << kUsage << "\nbrine-key: error: " << level.error().message << "\n";
    return kUsageExit;
  }
  lo.console = *level;
  (void)log::setup(lo);
  for (auto& w : loaded->warnings) log::get("key")->debug("{}", w);
  return KeyCommand(std::move(o), std::move(loaded->opts), in, out, err).run();
}

}  // namespace brine::master

// key: fingerprints of this minion's key and of the pinned master key
// (Salt's salt/modules/key.py), in `brine-key -f` format.
#include "common/crypto/keys.h"
#include "modules/builtin.h"
#include "modules/util/text.h"

namespace brine::modules::key {

namespace {

// Salt's pem_finger: "" when the file does not exist.
Result<Value> finger_of(Call& c, const char* file) {
  std::string hash_type = c.str("hash_type", c.ctx.opts.get_string("hash_type", "sha256"));
  if (hash_type != "sha256") {
    return execution_error("hash_type '" + hash_type +
                           "' is not supported: Brine key fingerprints use sha256");
  }
  std::string pki = c.ctx.opts.get_string("pki_dir");
  if (pki.empty()) return execution_error("pki_dir is not set in the minion configuration");
  auto text = text::read_file(pki + "/" + file, 64 * 1024);
  if (!text) {
    if (text.error().code == Errc::kNotFound) return Value("");
    return execution_error(text.error().message);
  }
  return Value(crypto::fingerprint_text(*text));
}

Result<Value> finger(Call& c) { return finger_of(c, "minion.pub"); }
Result<Value> finger_master(Call& c) { return finger_of(c, "minion_master.pub"); }

constexpr Param kHashType[] = {{"hash_type", "None", Type::kString}};

constexpr FunctionSpec kFunctions[] = {
    {"finger", finger, "Fingerprint of this minion's public key",
     R"(Return the minion's public key fingerprint

hash_type
    The hash algorithm used to calculate the fingerprint (sha256, the
    default and the only one Brine keys use)

CLI Example:

.. code-block:: bash

    salt '*' key.finger
)",
     kHashType},
    {"finger_master", finger_master, "Fingerprint of the pinned master key",
     R"(Return the fingerprint of the master's public key pinned on the minion
(``minion_master.pub`` in ``pki_dir``).

hash_type
    The hash algorithm used to calculate the fingerprint (sha256)

CLI Example:

.. code-block:: bash

    salt '*' key.finger_master
)",
     kHashType},
};

}  // namespace

const ModuleSpec kModule{"key", always_available, kFunctions};

}  // namespace brine::modules::key

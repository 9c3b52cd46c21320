// Umbrella header for brine::crypto (the only part of Brine that includes
// <sodium.h>). See the individual headers for contracts:
//   core.h          init, random, hex, equal_ct, sha256, wipe
//   secret_bytes.h  SecretBytes (wiped key material)
//   keys.h          PublicKey, KeyPair, armor, fingerprints
//   key_files.h     key files on disk (atomic, permission-checked)
//   primitives.h    signatures, AEAD, key exchange, keyed hash
#pragma once

#include "common/crypto/core.h"
#include "common/crypto/key_files.h"
#include "common/crypto/keys.h"
#include "common/crypto/primitives.h"
#include "common/crypto/secret_bytes.h"

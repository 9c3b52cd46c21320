// Persistent identities of a swarm's virtual minions.
//
// A swarm of 10,000 minions cannot afford 20,000 key files each written with
// fsync, so the swarm keeps one file, <root>/identities (mode 0600), with one
// line per minion: "<id> <64 hex digits of the Ed25519 seed>". load_identities
// reads it, generates seeds for ids it lacks, and rewrites the file atomically
// only when it added any, so a restarted swarm presents the same keys and the
// master's accepted keys stay valid. Secret keys are kept on the heap
// (SecretStorage::kHeap), not in guarded pages: thousands of them would
// exhaust the locked-memory limit.
//
// The pinned master key (what each real minion keeps in minion_master.pub) is
// shared by the whole swarm: <root>/minion_master.pub.
//
// Errors: kIo / kPermissionDenied naming the file; kParse "<file>:<line>: ..."
// for a garbled line. Thread-safety: free functions, no shared state.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/crypto/keys.h"
#include "common/result.h"

namespace brine::swarm {

struct Identity {
  std::string id;
  crypto::KeyPair keys;
};

// Identities for `ids`, in that order. Creates `root` (0700) when missing.
Result<std::vector<Identity>> load_identities(const std::filesystem::path& root,
                                              const std::vector<std::string>& ids);

std::filesystem::path pinned_master_path(const std::filesystem::path& root);
// nullopt when nothing is pinned yet.
Result<std::optional<crypto::PublicKey>> read_pinned_master(const std::filesystem::path& root);
Status write_pinned_master(const std::filesystem::path& root, const crypto::PublicKey& key);

}  // namespace brine::swarm

# Shared by the shell benchmarks: a scratch root under /tmp that is removed,
# with every daemon the script started, when the script exits; free loopback
# ports. Source it after `set -euo pipefail`.
DIR="$(mktemp -d /tmp/brine-bench.XXXXXX)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$DIR"; }
trap cleanup EXIT
# Two distinct free ports on 127.0.0.1 (held open together, so never the same).
read -r PUB RET < <(python3 -c 'import socket
a = socket.socket(); a.bind(("127.0.0.1", 0)); b = socket.socket(); b.bind(("127.0.0.1", 0))
print(a.getsockname()[1], b.getsockname()[1])')

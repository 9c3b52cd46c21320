# Shared by scripts/demo, scripts/test and scripts/bench. Sourced, not run.
# brine_install_deps: installs the Debian 12 packages Brine needs, only when missing.
# brine_build [BUILD_DIR] [extra cmake args...]: configures and builds.

BRINE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BRINE_PACKAGES=(
  build-essential cmake pkg-config
  libzmq3-dev cppzmq-dev libsodium-dev libmsgpack-cxx-dev libyaml-cpp-dev
  libspdlog-dev libboost-program-options-dev libsqlite3-dev libpcre2-dev
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-jinja2 python3-yaml
  iproute2 procps
)

brine_install_deps() {
  local missing=()
  for p in "${BRINE_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "==> installing: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

brine_build() {
  local dir="${1:-$BRINE_ROOT/build}"
  shift || true
  local jobs
  jobs="$(nproc 2>/dev/null || echo 2)"
  cmake -S "$BRINE_ROOT" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
  cmake --build "$dir" -j"$jobs"
}

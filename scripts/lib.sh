# Shared by scripts/demo, scripts/test, scripts/bench and scripts/bench-plot. Sourced, not run.
# brine_install_deps [PACKAGE...]: installs Debian 12 packages, only those missing;
#   without arguments the ones Brine needs to build and test (BRINE_PACKAGES).
# brine_build [BUILD_DIR] [extra cmake args...]: configures and builds.
# brine_need_gnuplot: a gnuplot for scripts/bench-plot (gnuplot-nox when none).

BRINE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BRINE_PACKAGES=(
  build-essential cmake pkg-config
  libzmq3-dev cppzmq-dev libsodium-dev libmsgpack-cxx-dev libyaml-cpp-dev
  libspdlog-dev libboost-program-options-dev libsqlite3-dev libpcre2-dev
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-jinja2 python3-yaml
  iproute2 procps
)

# Only scripts/bench-plot needs a plotter, and only when no gnuplot is there
# (gnuplot-nox conflicts with gnuplot-qt and gnuplot-x11): see brine_need_gnuplot.
BRINE_PLOT_PACKAGES=(gnuplot-nox)

brine_install_deps() {
  local missing=() wanted=("$@")
  [ ${#wanted[@]} -gt 0 ] || wanted=("${BRINE_PACKAGES[@]}")
  for p in "${wanted[@]}"; do
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

# brine_need_gnuplot: any gnuplot with the pngcairo terminal; installs
# gnuplot-nox when none is installed.
brine_need_gnuplot() {
  command -v gnuplot >/dev/null || brine_install_deps "${BRINE_PLOT_PACKAGES[@]}"
}

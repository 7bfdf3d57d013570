#!/bin/bash
# Installs everything Pagoda's build, boot and tests need on a Debian 12 machine.
# Idempotent: packages already present are skipped, so a second run is quick.
# Needs root (apt-get) only when something is missing.
# Usage: ci/setup.sh [debug]   (debug: also gdb-multiarch, for ./pagoda debug)
set -eu

packages=(
  clang lld llvm libclang-rt-14-dev        # one compiler and linker for every target, plus sanitizers/libFuzzer
  cmake ninja-build python3                # build system and small build tools
  qemu-system-x86 qemu-system-misc qemu-system-arm   # the three boards (misc holds riscv64 and OpenSBI)
  grub-pc-bin grub-common xorriso mtools   # the x86_64 Multiboot2 ISO
  cpio                                     # boot-module archives
)

# ./pagoda debug needs a debugger that knows all three architectures.
[ "${1:-}" = debug ] && packages+=(gdb-multiarch)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null; then
    echo "ci/setup.sh: missing packages: ${missing[*]}" >&2
    echo "ci/setup.sh: run as root to install them (apt-get)" >&2
    exit 1
  fi
  as_root=(sudo)
fi
echo "ci/setup.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

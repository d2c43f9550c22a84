#!/usr/bin/env bash
# Installs the Debian packages the tests compare against, on Debian/Ubuntu (as root, or
# through sudo when run by another user):
#   - cross binutils/gcc for mips64el and mips64 (objdump/as are the disassembler and
#     assembler oracles; gcc builds test programs), xz-utils (the Malta kernel payload is
#     XZ-compressed), cpio (checks our initramfs), qemu-system-mips (the reference emulator),
#     qemu-user (its Octeon68XX CPU, user mode only, is the oracle for the Cavium instructions),
#     gdb-multiarch (the unwinding oracle: its backtraces of the kernel on QEMU's gdbstub);
#     device-tree-compiler (dtc reads back the device tree the Octeon board builds);
#   - chromium, libkrb5-dev, python3, make and g++ for the VS Code UI test (test/e2e/ui.test.ts):
#     Chromium is the browser playwright-core drives; the Kerberos headers and a C++ toolchain
#     (node-gyp: python3, make, g++) let code-server's native modules build
#     (scripts/ui-setup.sh installs code-server itself, from npm, into the user's cache);
#   - the mips64el dpkg architecture, so the project can `apt-get download` Debian's
#     mips64el busybox-static and linux-image-5kc-malta guests.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

# Root installs directly (CI, root containers, which often have no sudo); anyone else
# through sudo, so the README's `scripts/install-deps.sh && npm test` works either way.
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    echo "install-deps: not root: running it again with sudo" >&2
    exec sudo DEBIAN_FRONTEND=noninteractive bash "$0" "$@"
  fi
  echo "install-deps: must run as root (it installs Debian packages) and sudo is not installed: run it as root" >&2
  exit 1
fi

packages=(
  binutils-mips64el-linux-gnuabi64
  binutils-mips64-linux-gnuabi64
  gcc-mips64el-linux-gnuabi64
  gcc-mips64-linux-gnuabi64
  xz-utils
  cpio
  qemu-system-mips
  gdb-multiarch
  qemu-user
  device-tree-compiler
  chromium
  libkrb5-dev
  python3
  make
  g++
)

installed() {
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" = installed ]
}

missing=()
for p in "${packages[@]}"; do
  installed "$p" || missing+=("$p")
done

updated=no
if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  apt-get update
  updated=yes
  apt-get install -y "${missing[@]}"
else
  echo "install-deps: all Debian packages already installed"
fi

if ! dpkg --print-foreign-architectures | grep -qx mips64el; then
  echo "install-deps: enabling the mips64el architecture"
  dpkg --add-architecture mips64el
  apt-get update
elif [ "$updated" = no ] && ! apt-cache show --no-all-versions busybox-static:mips64el >/dev/null 2>&1; then
  # Architecture enabled but its package lists are missing.
  apt-get update
fi


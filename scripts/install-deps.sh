#!/usr/bin/env bash
# Install what building and testing Chorus needs on Debian 12: the C libraries, the
# browser and tools for the interop tests, and a Python venv at .venv. Running it again
# installs only what is missing, so a second run takes about a second.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$repo_root/.venv"
requirements="$repo_root/tests/interop/requirements.txt"
marker="$venv/.chorus-requirements.sha256"

build_packages=(libssl-dev libsrtp2-dev libwebsockets-dev libsodium-dev libhiredis-dev pkg-config)
test_packages=(chromium chromium-driver redis-server iproute2 nftables python3-venv util-linux)
# gnuplot renders the PNG plots of chorus-load (make load, chorus-load --plots).
test_packages+=(gnuplot-nox)

log() { printf 'install-deps: %s\n' "$*"; }

as_root() {
    if [[ $EUID -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null; then
        sudo "$@"
    else
        log "need root to run: $*" >&2
        exit 1
    fi
}

package_installed() {
    [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" == installed ]]
}

install_apt_packages() {
    local missing=() package
    for package in "${build_packages[@]}" "${test_packages[@]}"; do
        package_installed "$package" || missing+=("$package")
    done
    if [[ ${#missing[@]} -eq 0 ]]; then
        log "apt packages present"
        return
    fi
    log "installing ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

check_swift() {
    if ! command -v swift >/dev/null && [[ -x /opt/swift/usr/bin/swift ]]; then
        export PATH="/opt/swift/usr/bin:$PATH"
    fi
    if ! command -v swift >/dev/null; then
        log "Swift toolchain not found on PATH or in /opt/swift/usr/bin; install Swift 6 first" >&2
        exit 1
    fi
}

venv_is_current() {
    [[ -x "$venv/bin/python" && -f "$marker" ]] &&
        [[ "$(cat "$marker")" == "$(sha256sum "$requirements" | cut -d' ' -f1)" ]] &&
        "$venv/bin/python" -c 'import aiortc, aioice, jwt, numpy, pytest, pytest_timeout, schemathesis, selenium, websockets' 2>/dev/null
}

install_python_packages() {
    if venv_is_current; then
        log "Python venv current"
        return
    fi
    if ! "$venv/bin/python" -c 'import sys' 2>/dev/null; then
        log "creating $venv"
        rm -rf "$venv"
        /usr/bin/python3 -m venv "$venv"
    fi
    log "installing Python packages from ${requirements#"$repo_root"/}"
    "$venv/bin/python" -m pip install --disable-pip-version-check -q -r "$requirements"
    sha256sum "$requirements" | cut -d' ' -f1 >"$marker"
}

install_apt_packages
check_swift
install_python_packages

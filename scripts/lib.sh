# Shared by scripts/start and scripts/test: install what this machine lacks.
# Everything comes from the package registries (Debian, PyPI, crates.io).

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"

say() { printf '==> %s\n' "$*"; }

as_root() {
    if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

# Debian packages, installed only when a command is missing.
apt_updated=""
ensure_apt() { # ensure_apt COMMAND PACKAGE...
    local cmd="$1"; shift
    if command -v "$cmd" >/dev/null 2>&1; then return; fi
    if [[ -z "$apt_updated" ]]; then
        say "apt-get update"
        as_root apt-get update -qq
        apt_updated=1
    fi
    say "apt-get install $*"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# The Rust toolchain the workspace is pinned to (rust-version 1.95).
ensure_rust() {
    if ! command -v cargo >/dev/null 2>&1; then
        echo "error: cargo is missing; install Rust (rustup) first" >&2
        exit 1
    fi
    ensure_apt cc gcc
}

# Python tools in a venv of the project's own: moto for the AWS tests.
ensure_venv() { # ensure_venv REQUIREMENT...
    if [[ ! -x "$venv/bin/python" ]]; then
        say "python3 -m venv .venv"
        python3 -m venv "$venv" || { ensure_apt python3 python3-venv; python3 -m venv "$venv"; }
    fi
    local missing=()
    for req in "$@"; do
        local name="${req%%[<>=\[]*}"
        "$venv/bin/pip" show -q "$name" >/dev/null 2>&1 || missing+=("$req")
    done
    if (( ${#missing[@]} )); then
        say "pip install ${missing[*]}"
        "$venv/bin/pip" install -q --disable-pip-version-check "${missing[@]}"
    fi
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

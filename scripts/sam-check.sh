#!/usr/bin/env bash
# Checks the AWS deployment as far as a machine without an AWS account can:
#   1. sam validate --lint    the SAM template (infra/template.yaml) is valid
#   2. cfn-lint               CloudFormation lint, in the SES-receiving regions
#   3. sam build              cargo-lambda builds every function (arm64 by
#                             default); each must come out as a `bootstrap`
#                             ELF of the right architecture
#
# Tools come from PyPI into the project's .venv (aws-sam-cli, cfn-lint,
# cargo-lambda, ziglang: zig is cargo-lambda's cross linker) and the Rust
# target from rustup; nothing else is downloaded. Dummy credentials and a
# region are enough: nothing here calls AWS.
#
# Caching: cargo-lambda builds into CARGO_TARGET_DIR when it is set (CI sets
# it), else the workspace's target/ (aws-lambda-builders points every
# function at the workspace target directory), so the four functions share
# one dependency build and a second run only rebuilds what changed. `sam build
# --cached` is not used: it hashes only each function's own folder and would
# miss changes in shared/.
#
# Profile: by default the check builds with the release profile minus thin LTO
# (more codegen units, incremental), the same code, target, toolchain and zig
# linker as a deployment. A cold build costs the same either way (the AWS SDK
# dominates), but after a code change the four thin-LTO links of the real
# release profile take ~11 minutes on 2 cores, against ~20 seconds here.
# SAM_CHECK_PROFILE=release checks the exact build `sam build` does for a deploy.
#
# Environment:
#   SAM_CHECK_ARCH     arm64 (default, as deployed) or x86_64
#   SAM_CHECK_PROFILE  fast (default; see above) or release
#   SAM_BUILD_DIR      where sam build puts the artifacts (default .aws-sam/build)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$root"

arch="${SAM_CHECK_ARCH:-arm64}"
profile="${SAM_CHECK_PROFILE:-fast}"
build_dir="${SAM_BUILD_DIR:-$root/.aws-sam/build}"
template="infra/template.yaml"

ensure_rust
ensure_venv "aws-sam-cli>=1.170" "aws-lambda-builders>=1.67" "cfn-lint>=1.20" "cargo-lambda>=1.8" "ziglang>=0.13"

case "$arch" in
    arm64) rust_target=aarch64-unknown-linux-gnu; elf_machine=183 ;;
    x86_64) rust_target=x86_64-unknown-linux-gnu; elf_machine=62 ;;
    *) echo "error: SAM_CHECK_ARCH must be arm64 or x86_64, not $arch" >&2; exit 1 ;;
esac
if command -v rustup >/dev/null 2>&1 && ! rustup target list --installed | grep -qx "$rust_target"; then
    say "rustup target add $rust_target"
    rustup target add "$rust_target"
fi

# The venv first on PATH: sam, cfn-lint and cargo-lambda, and the python3
# whose `-m ziglang` cargo-lambda (cargo-zigbuild) runs as zig.
export PATH="$venv/bin:$PATH"
export CARGO_ZIGBUILD_PYTHON_PATH="$venv/bin/python3"
export SAM_CLI_TELEMETRY=0
export AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-us-east-1}" AWS_REGION="${AWS_REGION:-${AWS_DEFAULT_REGION:-us-east-1}}"
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-test}" AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-test}"

say "sam validate --lint ($template)"
sam validate --lint --template-file "$template"

say "cfn-lint ($template; regions with SES receiving)"
cfn-lint --regions us-east-1 us-west-2 eu-west-1 -- "$template"

case "$profile" in
    fast)
        export CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_INCREMENTAL=true ;;
    release) ;;
    *) echo "error: SAM_CHECK_PROFILE must be fast or release, not $profile" >&2; exit 1 ;;
esac

say "sam build ($arch, $profile profile; cargo target dir ${CARGO_TARGET_DIR:-$root/target})"
started=$SECONDS
sam build --template-file "$template" --build-dir "$build_dir" --parameter-overrides "Architecture=$arch"
say "sam build took $(( SECONDS - started )) s"

# Every function of the template has its bootstrap, an ELF for $arch.
"$venv/bin/python3" - "$template" "$build_dir" "$elf_machine" <<'PY'
import os, struct, sys
from samtranslator.yaml_helper import yaml_parse

template, build_dir, machine = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(template) as f:
    resources = yaml_parse(f.read())["Resources"]
functions = sorted(k for k, v in resources.items() if v.get("Type") == "AWS::Serverless::Function")
failed = False
for name in functions:
    path = os.path.join(build_dir, name, "bootstrap")
    if not os.path.isfile(path):
        print(f"error: no bootstrap for {name} ({path})", file=sys.stderr)
        failed = True
        continue
    with open(path, "rb") as f:
        head = f.read(20)
    ok_elf = head[:4] == b"\x7fELF" and struct.unpack("<H", head[18:20])[0] == machine
    executable = os.access(path, os.X_OK)
    size = os.path.getsize(path)
    print(f"    {name:<20} {path}  {size / 1e6:5.1f} MB" + ("" if ok_elf else "  WRONG ELF") + ("" if executable else "  NOT EXECUTABLE"))
    failed |= not (ok_elf and executable)
if not functions:
    print("error: the template has no functions", file=sys.stderr)
    failed = True
sys.exit(1 if failed else 0)
PY
say "sam checks passed: validate, lint, build ($arch, $profile profile)"

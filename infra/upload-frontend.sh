#!/usr/bin/env bash
# Uploads the built review UI (frontend/dist, from scripts/build-frontend.sh)
# to the stack's site bucket and refreshes CloudFront's copy of index.html.
#
#   infra/upload-frontend.sh [STACK_NAME]      (default: backupchecks)
#
# Needs the AWS CLI with credentials for the stack's account and region.
# FRONTEND_DIST overrides the folder (default frontend/dist).
# Assets are referenced as /pkg/app.js?v=<build id> and so on, and the query
# string is part of CloudFront's cache key, so only index.html (uploaded with
# Cache-Control: no-cache) needs an invalidation. The site bucket is
# versioned: to roll back, upload the previous build again.
set -euo pipefail

stack="${1:-backupchecks}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dist="${FRONTEND_DIST:-$root/frontend/dist}"

if [[ ! -f "$dist/index.html" ]]; then
    echo "error: $dist/index.html is missing; run scripts/build-frontend.sh first" >&2
    exit 1
fi
command -v aws >/dev/null 2>&1 || { echo "error: the AWS CLI (aws) is not installed" >&2; exit 1; }

output() {
    aws cloudformation describe-stacks --stack-name "$stack" \
        --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
}
bucket="$(output SiteBucketName)"
distribution="$(output DistributionId)"
site="$(output SiteUrl)"
if [[ -z "$bucket" || "$bucket" == "None" ]]; then
    echo "error: stack $stack has no SiteBucketName output (is it deployed in this region?)" >&2
    exit 1
fi

echo "==> s3://$bucket/ <- frontend/dist"
# Everything but index.html: immutable per build id.
aws s3 sync "$dist/" "s3://$bucket/" --delete --exclude "index.html" --exclude "*.wasm" \
    --cache-control "public, max-age=31536000, immutable"
# The wasm explicitly as application/wasm (streaming compilation needs it).
shopt -s nullglob
for wasm in "$dist"/pkg/*.wasm; do
    aws s3 cp "$wasm" "s3://$bucket/pkg/$(basename "$wasm")" \
        --content-type "application/wasm" --cache-control "public, max-age=31536000, immutable"
done
# index.html last, so a browser never gets a page whose assets are missing.
aws s3 cp "$dist/index.html" "s3://$bucket/index.html" \
    --content-type "text/html; charset=utf-8" --cache-control "no-cache"

echo "==> CloudFront invalidation of /index.html ($distribution)"
aws cloudfront create-invalidation --distribution-id "$distribution" --paths "/index.html" "/" \
    --query "Invalidation.Id" --output text
echo "==> done: $site"

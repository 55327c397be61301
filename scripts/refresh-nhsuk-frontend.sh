#!/usr/bin/env bash
# Refreshes the vendored NHS.UK frontend assets under app/static/nhsuk/ from npm.
# Only maintainers run this (it needs npm); running and testing the app never do.
# The version must stay the one nhsuk-frontend-jinja pins (see pyproject.toml).
set -euo pipefail
version="${1:-10.6.1}"
here="$(cd "$(dirname "$0")/.." && pwd)"
dest="$here/app/static/nhsuk"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

(cd "$work" && npm pack --silent "nhsuk-frontend@$version" >/dev/null && tar xzf "nhsuk-frontend-$version.tgz")
dist="$work/package/dist/nhsuk"

rm -rf "$dest"
mkdir -p "$dest"
cp "$dist/nhsuk-frontend.min.css" "$dist/nhsuk-frontend.min.js" "$dest/"
# The compiled CSS points at /assets/images/; here the icons sit beside it in images/.
sed -i 's#url(/assets/images/#url(images/#g' "$dest/nhsuk-frontend.min.css"
# Frutiger is licensed for services on the nhs.uk domain only, which this is not (the
# NHS.UK service manual asks other services to use Arial), and it is fetched from
# assets.nhs.uk, which the CSP (default-src 'self') blocks: drop the @font-face rules,
# so pages use the font stack's Arial.
sed -i 's#@font-face{font-family:Frutiger W01;[^}]*}##g' "$dest/nhsuk-frontend.min.css"
cp -r "$dist/assets/images" "$dest/images"
cp "$dist/assets/manifest.json" "$dest/manifest.json"
echo "$version" > "$dest/VERSION"
echo "nhsuk-frontend $version vendored into app/static/nhsuk/"

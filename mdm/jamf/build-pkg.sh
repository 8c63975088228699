#!/bin/sh
# Build the Jamf package on a Mac: build-pkg.sh DIST_DIR [VERSION] [OUT.pkg]
#   DIST_DIR: the frozen onedir (packaging/ builds dist/clampd-guard/).
# The payload installs it at /opt/clampd-guard; the Scripts folder carries
# postinstall, guard.json (used when no configuration profile is installed) and
# the managed editor settings from mdm/editor-settings/.
set -eu
DIST=${1:?usage: build-pkg.sh DIST_DIR [VERSION] [OUT.pkg]}
VERSION=${2:-$("$DIST/clampd-guard" --version | awk '{print $2}')}
OUT=${3:-clampd-guard-$VERSION.pkg}
KIT=$(cd "$(dirname "$0")/.." && pwd)
[ -x "$DIST/clampd-guard" ] || { echo "$DIST/clampd-guard is not an executable" >&2; exit 1; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/root/opt" "$WORK/scripts"
cp -R "$DIST" "$WORK/root/opt/clampd-guard"
cp "$KIT/jamf/postinstall" "$KIT/jamf/guard.json" "$WORK/scripts/"
cp "$KIT/editor-settings/claude-code/managed-settings.json" "$WORK/scripts/claude-managed-settings.json"
cp "$KIT/editor-settings/cursor/hooks.json" "$WORK/scripts/cursor-hooks.json"
chmod 0755 "$WORK/scripts/postinstall"

pkgbuild --root "$WORK/root" --install-location / --scripts "$WORK/scripts" \
    --identifier com.clampd.guard --version "$VERSION" "$OUT"
echo "built $OUT"

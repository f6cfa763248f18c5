#!/usr/bin/env bash
# Rebuild the vendored GOV.UK Frontend CSS and JS in this folder.
#
# Compiles govuk-frontend from its Sass with Arial instead of GDS Transport
# (no @font-face, no font files) and with images resolved under
# /static/govuk/assets/. Runs in a temporary folder: nothing is installed
# in the repository. Needs node and npm, and the npm registry.
#
# Usage: static/govuk/build.sh
set -euo pipefail

GOVUK_FRONTEND_VERSION=5.14.0
SASS_VERSION=1.108.2

out="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

echo '{"name": "govuk-build", "private": true}' > package.json
npm install --no-audit --no-fund --ignore-scripts --save-exact \
  "govuk-frontend@${GOVUK_FRONTEND_VERSION}" "sass@${SASS_VERSION}"

cat > govuk.scss <<SCSS
/*! govuk-frontend ${GOVUK_FRONTEND_VERSION} (MIT licence), compiled for Laming Tracker with Arial and no web font. */
\$govuk-font-family: arial, sans-serif;
\$govuk-include-default-font-face: false;
\$govuk-assets-path: "/static/govuk/assets/";
@import "govuk-frontend/dist/govuk/index";
SCSS

npx --no-install sass --load-path=node_modules --style=compressed --no-source-map \
  --quiet-deps --silence-deprecation=import \
  govuk.scss "$out/govuk-frontend.min.css"

# The crest is not shipped (README.md, "No crown"), and the footer's copyright logo that names it
# is not used; Django's collectstatic fails on a url() to a missing file, so the CSS names none.
sed -i 's|url("/static/govuk/assets/images/govuk-crest.svg")|none|g' "$out/govuk-frontend.min.css"

# The precompiled ES module; drop the source map reference (the map is not vendored).
sed 's|//# sourceMappingURL=[^ ]*$||' \
  node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js > "$out/govuk-frontend.min.js"

# Sanity checks.
if grep -q "url(" "$out/govuk-frontend.min.css"; then
  echo "error: the CSS names a file: vendor it, or collectstatic cannot hash it" >&2
  exit 1
fi
if grep -q "GDS Transport" "$out/govuk-frontend.min.css"; then
  echo "error: GDS Transport is still in the CSS" >&2
  exit 1
fi
grep -q "font-family:arial,sans-serif" "$out/govuk-frontend.min.css"
grep -q "^const version=\"${GOVUK_FRONTEND_VERSION}\"" "$out/govuk-frontend.min.js"

ls -l "$out/govuk-frontend.min.css" "$out/govuk-frontend.min.js"

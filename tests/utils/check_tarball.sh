#!/usr/bin/env bash
# What a collection tarball must hold before it is uploaded, and what it must not: make release and
# make release-test run this on the tarball each built.
# - the files users and Galaxy need: the manifests, the runtime metadata, the execution-environment
#   file, the changelog, the playbooks, the role's argument specs and README, the docs;
# - LICENSE at the root, the same text as the repository's (galaxy.yml names GPL-3.0-or-later: Galaxy,
#   Automation Hub and distributors need the text with the package);
# - no caches and no test tools.
# Usage: tests/utils/check_tarball.sh TARBALL
set -euo pipefail
tarball=$1
repo=$(cd "$(dirname "$0")/../.." && pwd)
files=$(mktemp)
trap 'rm -f "$files"' EXIT
tar tzf "$tarball" > "$files"
for wanted in LICENSE MANIFEST.json FILES.json meta/runtime.yml meta/execution-environment.yml CHANGELOG.rst playbooks/demo.yml \
	playbooks/dr_copy.yml playbooks/dr_alert.yml playbooks/dr_fleet.yml playbooks/inventory/fleet.example.yml \
	plugins/filter/dr_fleet.py roles/dr_copy/meta/argument_specs.yml roles/dr_copy/README.md \
	plugins/modules/dr_sync.py docs/README.md docs/awx/execution-environment.yml playbooks/dr_on_snapshot.yml meta/extensions.yml \
	extensions/eda/plugins/event_source/snapshots.py extensions/eda/rulebooks/dr_on_snapshot.yml; do
	grep -qx "$wanted" "$files" || { echo "FAIL: $(basename "$tarball") lacks $wanted"; exit 1; }
done
tar xzOf "$tarball" LICENSE | cmp -s - "$repo/LICENSE" || { echo "FAIL: the LICENSE in $(basename "$tarball") is not the repository's"; exit 1; }
if unwanted=$(grep -E '(^|/)(\.hypothesis|\.mypy_cache|\.ruff_cache|\.pytest_cache|__pycache__|tests/output|tests/fakecloud|tests/utils)(/|$)|\.pyc$' \
	"$files"); then
	echo "$unwanted" | head -5
	echo "FAIL: $(basename "$tarball") holds $(echo "$unwanted" | wc -l) files of caches or test tools (above): add them to build_ignore in galaxy.yml"
	exit 1
fi
echo "$(basename "$tarball"): $(wc -l < "$files") files, LICENSE among them, no caches or test tools"

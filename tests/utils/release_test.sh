#!/usr/bin/env bash
# make release-test: build the collection tarball, install it into an empty folder, and run the demo
# playbook from there. ANSIBLE_COLLECTIONS_PATH names only that folder and the run starts outside the
# repo, so the source tree cannot stand in: the log must show the role's tasks from the installed copy.
# Usage: tests/utils/release_test.sh BIN SOURCE TEST_PATH   (BIN: the venv's bin, SOURCE: the collection
#        to build, TEST_PATH: the PATH the run gets)
set -euo pipefail
bin=$1 source=$2 test_path=$3
repo=$(cd "$(dirname "$0")/../.." && pwd)
release=$(mktemp -d)
trap 'rm -rf "$release"' EXIT

"$bin/ansible-galaxy" collection build --force --output-path "$release" "$source" > /dev/null
tarball=$(ls "$release"/snapcopy-cloud-*.tar.gz)
echo "built $(basename "$tarball") ($(du -k "$tarball" | cut -f1) KiB)"
"$repo/tests/utils/check_tarball.sh" "$tarball"

ANSIBLE_COLLECTIONS_PATH="$release/collections" "$bin/ansible-galaxy" collection install -p "$release/collections" "$tarball"
installed="$release/collections/ansible_collections/snapcopy/cloud"
test -f "$installed/MANIFEST.json" && test ! -L "$installed"

cd "$release"
# shellcheck disable=SC2016  # the script in quotes expands its own arguments
ANSIBLE_COLLECTIONS_PATH="$release/collections" PATH="$test_path" \
"$bin/python" "$repo/tests/utils/with_emulators.py" --config "$release/emulators.json" -- bash -c '
	set -euo pipefail
	repo=$1
	ansible-galaxy collection list snapcopy.cloud
	ansible-playbook -vv snapcopy.cloud.demo -e @emulators.json -e demo_seed=true -e demo_report_dir="$PWD/reports" > demo.log 2>&1 \
		|| { tail -40 demo.log; exit 1; }
	grep -A12 "PLAY RECAP" demo.log
	grep -q "failed=0 " demo.log
	grep -q "task path: $PWD/collections/ansible_collections/snapcopy/cloud/roles/dr_copy/tasks/main.yml" demo.log
	if grep "task path: $repo/" demo.log; then echo "FAIL: tasks ran from the source tree"; exit 1; fi
	ls reports/dr-report-aws-us-east-1.json reports/dr-report-ecs-cn-hangzhou.json reports/dr-report-ens-cn-hangzhou-26.json \
		reports/dr-report-cbs-ap-guangzhou.json > /dev/null
	echo "the demo ran from the installed copy: $PWD/collections/ansible_collections/snapcopy/cloud"' release "$repo"

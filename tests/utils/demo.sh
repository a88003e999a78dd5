#!/usr/bin/env bash
# make demo: the main job on the local emulators (moto server, fakecloud). The first run seeds them
# and runs the DR role on each cloud; the second, with everything in place, must change nothing.
# Then a short fleet: playbooks/inventory/fleet.example.yml as shipped (the four clouds, several
# accounts reached by their roles), run twice by tests/utils/fleet_demo.py; the second changes nothing.
# Usage: tests/utils/demo.sh BIN BUILD ONLY   (BIN: the venv's bin, BUILD: the build folder,
#        ONLY: a JSON list of the clouds to run, e.g. '["aws", "ecs", "ens", "cbs"]')
set -euo pipefail
bin=$1 build=$2 only=$3
mkdir -p "$build"
# shellcheck disable=SC2016  # the script in quotes expands its own arguments
"$bin/python" tests/utils/with_emulators.py --config "$build/emulators.json" -- bash -c '
	set -euo pipefail
	bin=$1 build=$2 only=$3
	echo "== demo, first run: seed the emulators, then the DR role on each cloud"
	"$bin/ansible-playbook" playbooks/demo.yml -e "@$build/emulators.json" -e demo_seed=true -e "{\"demo_only\": $only}"
	echo "== demo, second run: everything is in place, so nothing changes (see changed=0 in the recap)"
	"$bin/ansible-playbook" playbooks/demo.yml -e "@$build/emulators.json" -e "{\"demo_only\": $only}" | tee "$build/demo-rerun.log"
	grep -q "changed=0 " "$build/demo-rerun.log"
	echo "== demo fleet: playbooks/inventory/fleet.example.yml, every scope in the account of its role"
	"$bin/python" tests/utils/fleet_demo.py --emulators "$build/emulators.json" --work "$build/fleet-demo"' demo "$bin" "$build" "$only"
# Last, where its pages are and how to put ansible-playbook on PATH (the README and the quickstart say the same).
"$bin/python" tests/utils/demo_pages.py "$build" "$(dirname "$bin")"

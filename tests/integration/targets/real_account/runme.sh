#!/usr/bin/env bash
# The real-account test (docs/real-account.md): the collection's modules against real clouds, on a
# disk and a snapshot made for the run and deleted after it. CI never runs it (aliases: unsupported),
# and it does nothing unless a config file is named:
#   SNAPCOPY_REAL_ACCOUNT_CONFIG=/path/to/config.yml [SNAPCOPY_REAL_ACCOUNT_DRY_RUN=1] runme.sh
# ansible-test passes none of the caller's environment variables to a target, so under ansible-test
# both settings come from tests/integration/integration_config.yml instead (which it does hand over):
# snapcopy_real_account_config and snapcopy_real_account_dry_run.
set -eu -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
checkout=$(cd "$here/../../../.." && pwd)
# A direct run from a checkout without ansible on PATH uses the checkout's .venv (make venv).
if ! command -v ansible-playbook > /dev/null && [[ -x "$checkout/.venv/bin/ansible-playbook" ]]; then
    PATH="$checkout/.venv/bin:$PATH"
fi
# The helper runs on the Python of ansible-playbook, which has the SDKs the modules use: the one next
# to it in a virtualenv, else "python" (under ansible-test, the controller's Python).
ansible_playbook=$(command -v ansible-playbook || true)
if [[ -n "$ansible_playbook" && -x "$(dirname "$ansible_playbook")/python" ]]; then
    python="$(dirname "$ansible_playbook")/python"
else
    python=$(command -v python || command -v python3)
fi
helper="$here/files/real_account.py"

config=${SNAPCOPY_REAL_ACCOUNT_CONFIG:-}
dry_run=${SNAPCOPY_REAL_ACCOUNT_DRY_RUN:-}
integration_config="$here/../../integration_config.yml"
if [[ -z "$config" && -f "$integration_config" ]]; then
    config=$("$python" "$helper" opt-in "$integration_config" config)
    dry_run=$("$python" "$helper" opt-in "$integration_config" dry_run)
fi
if [[ -z "$config" ]]; then
    echo "real_account: skipped, not opted in: set SNAPCOPY_REAL_ACCOUNT_CONFIG to a config file (see docs/real-account.md)" >&2
    exit 0
fi
if [[ ! -f "$config" ]]; then
    echo "real_account: SNAPCOPY_REAL_ACCOUNT_CONFIG names $config, which is not a file" >&2
    exit 2
fi
config="$(cd "$(dirname "$config")" && pwd)/$(basename "$config")"
dry=""
if [[ -n "$dry_run" && "$dry_run" != 0 ]]; then
    dry=--dry-run
fi
if [[ -z "$ansible_playbook" ]]; then
    echo "real_account: ansible-playbook is not on PATH: activate the virtualenv that has ansible-core and the SDKs" >&2
    exit 2
fi

# The config is checked before anything else; a real run needs i_understand_this_costs_money: true.
"$python" "$helper" check "$config" ${dry:+"$dry"}

run_id=$("$python" "$helper" new-run-id)
echo "real_account: run $run_id${dry:+ (dry run: the module tasks are skipped and no call reaches a cloud)}" >&2

# Whatever ends the run (success, a failed task, Ctrl-C, TERM), delete what it made, found by its run
# id alone; this also checks that the playbook's own cleanup left nothing. On INT or TERM the playbook
# is stopped first, with its module processes (its own process group), so nothing copies after the
# cleanup. A run killed with SIGKILL leaves its resources to the next run's leftovers pass.
playbook=""
scratch=""
stop_playbook() {
    if [[ -n "$playbook" ]]; then
        kill -TERM -- "-$playbook" 2>/dev/null || true
        wait "$playbook" || true
    fi
}
finish() {
    local status=$?
    if [[ -n "$dry" ]]; then
        echo "real_account: dry run: the final cleanup pass would make the calls of each cloud's cleanup above again" >&2
    else
        echo "real_account: final cleanup of run $run_id (it finds nothing if the playbook's own cleanup ran)" >&2
        "$python" "$helper" cleanup "$config" --run-id "$run_id" || status=1
    fi
    if [[ -n "$scratch" ]]; then rm -rf "$scratch"; fi
    exit "$status"
}
trap finish EXIT
trap 'stop_playbook; exit 130' INT
trap 'stop_playbook; exit 143' TERM

# ansible-playbook must load this checkout's collection. ansible-test sets ANSIBLE_COLLECTIONS_PATH;
# a direct run gets a temporary ansible_collections/snapcopy/cloud link to the checkout.
if [[ -z "${ANSIBLE_COLLECTIONS_PATH:-}" ]]; then
    scratch=$(mktemp -d)
    mkdir -p "$scratch/ansible_collections/snapcopy"
    ln -s "$checkout" "$scratch/ansible_collections/snapcopy/cloud"
    export ANSIBLE_COLLECTIONS_PATH="$scratch"
fi

echo "real_account: removing what earlier runs left" >&2
"$python" "$helper" cleanup-leftovers "$config" ${dry:+"$dry"}

# The play runs on the implicit localhost (ansible-test sets no inventory): no warnings about it. It runs
# in the background, in a process group of its own (set -m), so that the traps above can stop it.
set -m
SNAPCOPY_REAL_ACCOUNT_CONFIG="$config" SNAPCOPY_REAL_ACCOUNT_RUN_ID="$run_id" SNAPCOPY_REAL_ACCOUNT_DRY_RUN="${dry:+1}" \
SNAPCOPY_REAL_ACCOUNT_PYTHON="$python" ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false \
    ansible-playbook "$here/real_account.yml" "$@" &
playbook=$!
set +m
wait "$playbook"

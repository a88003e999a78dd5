#!/usr/bin/env bash
# Run every module at -vvvv, in success and in failure, with secrets of our own making, and
# look for those secrets in everything the run wrote. Any hit fails the target.
# Each cloud has its playbook here (secrets_<cloud>.yml); all get the same two secrets, as
# options in some tasks and, as AWX injects credentials, in ansible-playbook's environment.
# (A play's `environment:` keyword would not do: Ansible prints it in its EXEC lines at -vvvv.)
# secrets_assume_role.yml also gives an external id of our making, and writes the temporary keys and
# tokens the emulators' STS handed out to ISSUED_FILE: they are looked for in every playbook's output.
set -eu -o pipefail

secret_key="snapcopy-secret-$(date +%s%N)-key"
session_token="snapcopy-secret-$(date +%s%N)-token"
external_id="snapcopy-secret-$(date +%s%N)-external-id"
output_dir="${OUTPUT_DIR:-$(mktemp -d)}"
issued_file="${output_dir}/issued-credentials.txt"
rm -f "${issued_file}"

# secrets_assume_role.yml reads the temporary keys that moto's STS handed out (moto_server.py's
# /snapcopy-test/sts-sessions). A moto server of its own holds only the sessions that playbook makes.
moto_port=$(python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
MOTO_EC2_LOAD_DEFAULT_AMIS=false python ../setup_emulators/files/moto_server.py -H 127.0.0.1 -p "${moto_port}" > "${output_dir}/moto.log" 2>&1 &
moto_pid=$!
trap 'kill "${moto_pid}" 2> /dev/null || true' EXIT
own_moto="http://127.0.0.1:${moto_port}"
python -c '
import sys, time, urllib.request
for _ in range(300):
    try:
        urllib.request.urlopen(sys.argv[1] + "/moto-api/", timeout=2)
        sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit("moto server not ready at " + sys.argv[1])' "${own_moto}"

# The playbooks set the emulators' state with setup_emulators' emulator_request (an action on the controller).
export ANSIBLE_ACTION_PLUGINS=../setup_emulators/action_plugins

for playbook in secrets_*.yml; do
    log="${output_dir}/${playbook%.yml}.log"
    own_moto_vars=()
    [ "${playbook}" = secrets_assume_role.yml ] && own_moto_vars=(-e "aws_endpoint_url=${own_moto}")
    SNAPCOPY_SECRET_KEY="${secret_key}" SNAPCOPY_SESSION_TOKEN="${session_token}" \
    SNAPCOPY_EXTERNAL_ID="${external_id}" SNAPCOPY_ISSUED_FILE="${issued_file}" \
    AWS_ACCESS_KEY_ID=AKIASNAPCOPYTEST0001 AWS_SECRET_ACCESS_KEY="${secret_key}" AWS_SECURITY_TOKEN="${session_token}" \
    ALICLOUD_SECRET_KEY="${secret_key}" ALICLOUD_SECURITY_TOKEN="${session_token}" \
    TENCENTCLOUD_SECRET_KEY="${secret_key}" TENCENTCLOUD_SECURITY_TOKEN="${session_token}" \
        ansible-playbook "${playbook}" -e @../../integration_config.yml "${own_moto_vars[@]}" -vvvv "$@" > "${log}" 2>&1 || {
        tail -50 "${log}"
        echo "FAIL: ${playbook} failed"
        exit 1
    }
    for secret in "${secret_key}" "${session_token}" "${external_id}"; do
        if grep -F -n -- "${secret}" "${log}"; then
            echo "FAIL: a secret appears in the -vvvv output of ${playbook} (${log})"
            exit 1
        fi
    done
    grep -q 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER' "${log}" || { echo "FAIL: ${playbook}: expected masked values in the output"; exit 1; }
    echo "${playbook}: no secret in $(wc -l < "${log}") lines of -vvvv output"
done

# The temporary credentials, known once the runs are over: none may appear in any output.
issued=$(grep -c . "${issued_file}" || true)
[ "${issued}" -ge 6 ] || { echo "FAIL: ${issued_file} lists ${issued} temporary secrets, expected at least 6"; exit 1; }
if grep -F -n -f "${issued_file}" "${output_dir}"/secrets_*.log > /dev/null; then
    echo "FAIL: a temporary key or token from STS appears in the -vvvv output (${output_dir}):"
    grep -F -l -f "${issued_file}" "${output_dir}"/secrets_*.log
    exit 1
fi
echo "no temporary key or token of the ${issued} handed out by STS in any output"

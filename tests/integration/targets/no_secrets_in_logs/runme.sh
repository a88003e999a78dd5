#!/usr/bin/env bash
# Run every module at -vvvv, in success and in failure, with secrets of our own making, and
# look for those secrets in everything the run wrote. Any hit fails the target.
# Each cloud has its playbook here (secrets_<cloud>.yml); all get the same two secrets, as
# options in some tasks and, as AWX injects credentials, in ansible-playbook's environment.
# (A play's `environment:` keyword would not do: Ansible prints it in its EXEC lines at -vvvv.)
set -eu -o pipefail

secret_key="snapcopy-secret-$(date +%s%N)-key"
session_token="snapcopy-secret-$(date +%s%N)-token"
output_dir="${OUTPUT_DIR:-$(mktemp -d)}"

for playbook in secrets_*.yml; do
    log="${output_dir}/${playbook%.yml}.log"
    SNAPCOPY_SECRET_KEY="${secret_key}" SNAPCOPY_SESSION_TOKEN="${session_token}" \
    AWS_ACCESS_KEY_ID=AKIASNAPCOPYTEST0001 AWS_SECRET_ACCESS_KEY="${secret_key}" AWS_SECURITY_TOKEN="${session_token}" \
    ALICLOUD_SECRET_KEY="${secret_key}" ALICLOUD_SECURITY_TOKEN="${session_token}" \
    TENCENTCLOUD_SECRET_KEY="${secret_key}" TENCENTCLOUD_SECURITY_TOKEN="${session_token}" \
        ansible-playbook "${playbook}" -e @../../integration_config.yml -vvvv "$@" > "${log}" 2>&1 || {
        tail -50 "${log}"
        echo "FAIL: ${playbook} failed"
        exit 1
    }
    for secret in "${secret_key}" "${session_token}"; do
        if grep -F -n -- "${secret}" "${log}"; then
            echo "FAIL: a secret appears in the -vvvv output of ${playbook} (${log})"
            exit 1
        fi
    done
    grep -q 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER' "${log}" || { echo "FAIL: ${playbook}: expected masked values in the output"; exit 1; }
    echo "${playbook}: no secret in $(wc -l < "${log}") lines of -vvvv output"
done

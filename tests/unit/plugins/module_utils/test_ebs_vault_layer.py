"""The suites' EBS layer over moto (ebs_vault.py) passes every call of another service through untouched."""

from __future__ import annotations

import urllib.request

from ansible_collections.snapcopy.cloud.tests.integration.targets.setup_emulators.files.ebs_vault import DENIED


def test_a_call_of_another_service_whose_signature_spells_ec2_goes_to_moto(moto_url):
    """A signature is hex, so "ec2" appears in about one in seventy: such an STS call once got the layer's error 500
    (it looked for EC2's credential scope in a call that has none) and failed make test at random."""
    authorization = (
        'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261125/us-east-1/sts/aws4_request, '
        'SignedHeaders=host;x-amz-date, Signature=' + 'ec2' * 21 + 'a'
    )
    request = urllib.request.Request(
        moto_url + '/',
        data=b'Action=GetCallerIdentity&Version=2011-06-15',
        method='POST',
        headers={
            'Authorization': authorization,
            'Content-Type': 'application/x-www-form-urlencoded',
            'Host': 'sts.amazonaws.com',
        },
    )
    DENIED.add(('123456789012', 'GetCallerIdentity'))  # the layer reads its denials only while a test has set one
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            status, body = answer.status, answer.read()
    finally:
        DENIED.discard(('123456789012', 'GetCallerIdentity'))
    assert status == 200 and b'GetCallerIdentityResult' in body

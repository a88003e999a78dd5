# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWS connection options, named as amazon.aws names them."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r'''
options:
  access_key:
    description:
      - AWS access key ID.
      - If not set, the environment variables E(AWS_ACCESS_KEY_ID), E(AWS_ACCESS_KEY) or E(EC2_ACCESS_KEY) are used, in that order.
      - If none is set either, boto3 looks for credentials as usual (profile, instance role, ...).
    type: str
    aliases: [aws_access_key_id, aws_access_key, ec2_access_key]
  secret_key:
    description:
      - AWS secret access key.
      - If not set, the environment variables E(AWS_SECRET_ACCESS_KEY), E(AWS_SECRET_KEY) or E(EC2_SECRET_KEY) are used, in that order.
      - Never shown in results or logs.
    type: str
    aliases: [aws_secret_access_key, aws_secret_key, ec2_secret_key]
  session_token:
    description:
      - AWS session token, for temporary credentials.
      - If not set, the environment variables E(AWS_SESSION_TOKEN), E(AWS_SECURITY_TOKEN) (set by the AWX/Tower AWS credential)
        or E(EC2_SECURITY_TOKEN) are used, in that order.
      - Never shown in results or logs.
    type: str
    aliases: [aws_session_token, security_token, aws_security_token, access_token]
  profile:
    description:
      - A named profile of the AWS configuration files.
      - If not set, the environment variables E(AWS_PROFILE) or E(AWS_DEFAULT_PROFILE) are used.
    type: str
    aliases: [aws_profile]
  endpoint_url:
    description:
      - The EC2 endpoint to talk to instead of AWS's own, for example a private endpoint or a local emulator.
      - If not set, the environment variables E(AWS_URL) or E(EC2_URL) are used.
    type: str
    aliases: [aws_endpoint_url, ec2_url]
  validate_certs:
    description:
      - Whether to verify the endpoint's TLS certificate. Turn it off only for a test endpoint with a self-signed certificate.
    type: bool
    default: true
  aws_ca_bundle:
    description:
      - A CA bundle to verify the endpoint's certificate with.
      - If not set, the environment variable E(AWS_CA_BUNDLE) is used.
    type: path
'''

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
  role_arn:
    description:
      - The ARN of an IAM role to act as, for example in another account (V(arn:aws:iam::123456789012:role/dr-copy);
        any partition botocore knows, C(aws), C(aws-cn), C(aws-us-gov), C(aws-eusc), C(aws-iso) and the others).
        The module calls STS AssumeRole with the credentials above (or those boto3 finds), and asks again before the
        temporary credentials expire, so runs longer than one session work.
      - The temporary credentials are never shown in results or logs.
      - No environment variable is read (E(AWS_ROLE_ARN) is botocore's, for web identity).
    type: str
  role_session_name:
    description:
      - The session name of O(role_arn), as CloudTrail shows it; 2 to 64 ASCII letters, digits or any of C(+=,.@_-).
      - Defaults to V(snapcopy-) followed by the time.
    type: str
  external_id:
    description:
      - The external ID the role's trust policy asks for; 2 to 1224 ASCII letters, digits or any of C(+=,.@:/_-).
      - Only with O(role_arn). Never shown in results or logs.
    type: str
  endpoint_url:
    description:
      - The EC2 endpoint to talk to instead of AWS's own, for example a private endpoint or a local emulator.
      - With O(role_arn), STS is asked at this endpoint too (moto and other emulators serve every service at one endpoint).
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

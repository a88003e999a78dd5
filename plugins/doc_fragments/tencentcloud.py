# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tencent Cloud connection options, named as the Tencent CLI and Terraform provider name them."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r'''
options:
  secret_id:
    description:
      - The SecretId of a Tencent Cloud API key (CAM).
      - If not set, the environment variable E(TENCENTCLOUD_SECRET_ID) is used.
    type: str
  secret_key:
    description:
      - The SecretKey that belongs to O(secret_id).
      - If not set, the environment variable E(TENCENTCLOUD_SECRET_KEY) is used.
      - Never shown in results or logs.
    type: str
  security_token:
    description:
      - The token of temporary credentials (STS). O(secret_id) and O(secret_key) must then be the temporary pair
        that came with it.
      - If not set, the environment variable E(TENCENTCLOUD_SECURITY_TOKEN) is used.
      - Never shown in results or logs.
    type: str
  role_arn:
    description:
      - The resource name of a CAM role to act as, for example in another account
        (V(qcs::cam::uin/100012345678:roleName/dr-copy) or V(qcs::cam::uin/100012345678:role/4611686018427397919)).
        The module calls STS AssumeRole (2018-08-13) with the key above, for two-hour sessions, and asks again before
        they expire, so runs longer than one session work. The temporary credentials are never shown in results or logs.
      - If not set, the environment variable E(TENCENTCLOUD_ASSUME_ROLE_ARN) is used.
    type: str
  role_session_name:
    description:
      - The session name of O(role_arn), as CloudAudit shows it; 2 to 128 ASCII letters, digits or any of C(+=,.@_-).
      - If not set, the environment variable E(TENCENTCLOUD_ASSUME_ROLE_SESSION_NAME) is used; otherwise V(snapcopy-)
        followed by the time.
    type: str
  external_id:
    description:
      - The external ID the trust policy of O(role_arn) asks for (a role that a third party assumes carries one);
        2 to 128 ASCII letters, digits or any of C(+=,.@:/_-).
      - If not set, the environment variable E(TENCENTCLOUD_ASSUME_ROLE_EXTERNAL_ID) is used.
      - Only with O(role_arn). Never shown in results or logs.
    type: str
  endpoint_url:
    description:
      - The API endpoint to talk to instead of Tencent Cloud's own (C(cbs.tencentcloudapi.com) and C(tag.tencentcloudapi.com)),
        as V(https://host) or V(http://host:port), for example a private gateway or a local emulator.
      - When set, it must serve both the CBS and the Tag API, and with O(role_arn) STS as well (C(sts.tencentcloudapi.com)
        otherwise).
    type: str
  validate_certs:
    description:
      - Whether to verify the endpoint's TLS certificate. The SDK lets this be turned off;
        do so only for a test endpoint with a self-signed certificate.
      - Proxies are taken from the environment variables E(HTTPS_PROXY) and E(HTTP_PROXY).
    type: bool
    default: true
requirements:
  - tencentcloud-sdk-python-common >= 3.0.1113
  - tencentcloud-sdk-python-cbs >= 3.0.1113
  - tencentcloud-sdk-python-tag >= 3.0.1113
'''

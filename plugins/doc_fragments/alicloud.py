# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Alibaba Cloud connection options, named as alibaba.alicloud names them."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r'''
options:
  alicloud_access_key:
    description:
      - Alibaba Cloud AccessKey ID.
      - If not set, the environment variables E(ALICLOUD_ACCESS_KEY), E(ALICLOUD_ACCESS_KEY_ID) or
        E(ALIBABA_CLOUD_ACCESS_KEY_ID) are used, in that order.
    type: str
    aliases: [access_key_id, access_key]
  alicloud_secret_key:
    description:
      - Alibaba Cloud AccessKey secret.
      - If not set, the environment variables E(ALICLOUD_SECRET_KEY), E(ALICLOUD_SECRET_ACCESS_KEY) or
        E(ALIBABA_CLOUD_ACCESS_KEY_SECRET) are used, in that order.
      - Never shown in results or logs.
    type: str
    aliases: [secret_access_key, secret_key]
  alicloud_security_token:
    description:
      - The security token of temporary STS credentials (an AccessKey ID starting with C(STS.)).
      - If not set, the environment variables E(ALICLOUD_SECURITY_TOKEN) or E(ALIBABA_CLOUD_SECURITY_TOKEN) are used.
      - Never shown in results or logs.
    type: str
    aliases: [security_token]
  alicloud_assume_role_arn:
    description:
      - The ARN of a RAM role to act as, for example in another account (V(acs:ram::1234567890123456:role/dr-copy)).
        The module calls STS AssumeRole (2015-04-01) with the AccessKey above, for one-hour sessions, and asks again
        before they expire, so runs longer than one session work. The temporary credentials are never shown in results or logs.
      - If not set, the environment variables E(ALICLOUD_ASSUME_ROLE_ARN) or E(ALIBABA_CLOUD_ROLE_ARN) are used.
    type: str
    aliases: [assume_role_arn]
  alicloud_assume_role_session_name:
    description:
      - The session name of O(alicloud_assume_role_arn), as ActionTrail shows it; 2 to 64 ASCII letters, digits or any of C(.@_-).
      - If not set, the environment variables E(ALICLOUD_ASSUME_ROLE_SESSION_NAME) or E(ALIBABA_CLOUD_ROLE_SESSION_NAME)
        are used; otherwise V(snapcopy-) followed by the time.
    type: str
    aliases: [assume_role_session_name]
  alicloud_assume_role_external_id:
    description:
      - The external ID the trust policy of O(alicloud_assume_role_arn) asks for (a role that a third party assumes
        carries one); 2 to 1224 ASCII letters, digits or any of C(+=,.@:/_-).
      - If not set, the environment variable E(ALICLOUD_ASSUME_ROLE_EXTERNAL_ID) is used.
      - Only with O(alicloud_assume_role_arn). Never shown in results or logs.
    type: str
    aliases: [assume_role_external_id]
  endpoint_url:
    description:
      - The API endpoint to talk to instead of Alibaba Cloud's own, as V(https://HOST), V(https://HOST:PORT)
        or V(http://HOST:PORT); for example a private endpoint or a local emulator.
      - If not set, ECS uses the SDK's endpoint for the region (V(ecs.REGION.aliyuncs.com) for most regions)
        and ENS uses V(ens.aliyuncs.com), always over HTTPS.
      - With O(alicloud_assume_role_arn), STS is asked at this endpoint too; if not set, at C(sts.aliyuncs.com).
      - Loopback endpoints (V(127.0.0.1), V(localhost)) and hosts listed in E(NO_PROXY) are reached directly,
        never through E(HTTP_PROXY) or E(HTTPS_PROXY).
    type: str
  validate_certs:
    description:
      - Whether to verify the endpoint's TLS certificate. Turn it off only for a test endpoint with a self-signed certificate.
      - When on, the CA bundle named by E(ALIBABA_CLOUD_CA_BUNDLE) is used if set, otherwise the SDK's own.
    type: bool
    default: true
'''

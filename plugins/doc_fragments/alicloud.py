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
  endpoint_url:
    description:
      - The API endpoint to talk to instead of Alibaba Cloud's own, as V(https://HOST), V(https://HOST:PORT)
        or V(http://HOST:PORT); for example a private endpoint or a local emulator.
      - If not set, ECS uses the SDK's endpoint for the region (V(ecs.REGION.aliyuncs.com) for most regions)
        and ENS uses V(ens.aliyuncs.com), always over HTTPS.
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

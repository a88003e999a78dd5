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
  endpoint_url:
    description:
      - The API endpoint to talk to instead of Tencent Cloud's own (C(cbs.tencentcloudapi.com) and C(tag.tencentcloudapi.com)),
        as V(https://host) or V(http://host:port), for example a private gateway or a local emulator.
      - When set, it must serve both the CBS and the Tag API.
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

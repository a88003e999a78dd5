# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The provider and the connection options of a module that takes any cloud (O(provider)): dr_sync, dr_posture_info and
dr_drill_finish, which take them from each cloud's record (module_utils/clouds/registry.py); the provider alone
(``.provider``) for the dr_scopes inventory. The one place the docs list the clouds (in both fragments: ansible-test reads each as one string
literal): test_providers.py holds them to the registry."""

from __future__ import annotations


class ModuleDocFragment:
    # The clouds, as the registry names them (PROVIDERS), and the vendors of their action groups.
    PROVIDER = r'''
options:
  provider:
    description:
      - The cloud. V(aws) is EBS, V(ecs) Alibaba Cloud ECS, V(ens) Alibaba Cloud ENS edge nodes, V(cbs) Tencent Cloud CBS.
    type: str
    required: true
    choices: [aws, ecs, ens, cbs]
'''

    DOCUMENTATION = r'''
options:
  provider:
    description:
      - The cloud. V(aws) is EBS, V(ecs) Alibaba Cloud ECS, V(ens) Alibaba Cloud ENS edge nodes, V(cbs) Tencent Cloud CBS.
    type: str
    required: true
    choices: [aws, ecs, ens, cbs]

  access_key:
    description:
      - AWS access key ID (provider V(aws)); environment E(AWS_ACCESS_KEY_ID), E(AWS_ACCESS_KEY), E(EC2_ACCESS_KEY).
    type: str
    aliases: [aws_access_key, aws_access_key_id, ec2_access_key]
  secret_key:
    description:
      - The secret key of provider V(aws) (environment E(AWS_SECRET_ACCESS_KEY), E(AWS_SECRET_KEY), E(EC2_SECRET_KEY))
        or of provider V(cbs) (environment E(TENCENTCLOUD_SECRET_KEY)). The environment of the chosen provider only is read.
      - Its aliases are community.aws's names of the AWS secret key.
    type: str
    aliases: [aws_secret_access_key, aws_secret_key, ec2_secret_key]
  session_token:
    description:
      - AWS session token (provider V(aws)); environment E(AWS_SESSION_TOKEN), E(AWS_SECURITY_TOKEN), E(EC2_SECURITY_TOKEN).
    type: str
    aliases: [access_token, aws_security_token, aws_session_token]
  profile:
    description:
      - AWS profile (provider V(aws)); environment E(AWS_PROFILE), E(AWS_DEFAULT_PROFILE).
    type: str
    aliases: [aws_profile]
  aws_ca_bundle:
    description:
      - CA bundle for AWS endpoints (provider V(aws)); environment E(AWS_CA_BUNDLE).
    type: path
  role_arn:
    description:
      - A role to act as, through STS AssumeRole, for provider V(aws) (an IAM role, V(arn:aws:iam::123456789012:role/dr-copy))
        or V(cbs) (a CAM role, V(qcs::cam::uin/100012345678:roleName/dr-copy); environment E(TENCENTCLOUD_ASSUME_ROLE_ARN)).
        The temporary credentials are asked for again before they expire. See RV(account).
      - The single-copy modules say each cloud's rules (M(snapcopy.cloud.ebs_snapshot_copy), M(snapcopy.cloud.cbs_snapshot_copy)).
    type: str
  role_session_name:
    description:
      - The session name of O(role_arn) (providers V(aws), V(cbs); environment E(TENCENTCLOUD_ASSUME_ROLE_SESSION_NAME) for
        V(cbs)). Defaults to V(snapcopy-) followed by the time.
    type: str
  external_id:
    description:
      - The external ID the trust policy of O(role_arn) asks for (providers V(aws), V(cbs); environment
        E(TENCENTCLOUD_ASSUME_ROLE_EXTERNAL_ID) for V(cbs)). Never shown in results or logs.
    type: str
  alicloud_assume_role_arn:
    description:
      - A RAM role to act as, through STS AssumeRole (providers V(ecs), V(ens)), V(acs:ram::1234567890123456:role/dr-copy);
        environment E(ALICLOUD_ASSUME_ROLE_ARN), E(ALIBABA_CLOUD_ROLE_ARN). See RV(account).
    type: str
    aliases: [assume_role_arn]
  alicloud_assume_role_session_name:
    description:
      - The session name of O(alicloud_assume_role_arn); environment E(ALICLOUD_ASSUME_ROLE_SESSION_NAME),
        E(ALIBABA_CLOUD_ROLE_SESSION_NAME).
    type: str
    aliases: [assume_role_session_name]
  alicloud_assume_role_external_id:
    description:
      - The external ID the trust policy of O(alicloud_assume_role_arn) asks for (providers V(ecs), V(ens)); environment
        E(ALICLOUD_ASSUME_ROLE_EXTERNAL_ID). Never shown in results or logs.
    type: str
    aliases: [assume_role_external_id]
  alicloud_access_key:
    description:
      - Alibaba Cloud access key ID (providers V(ecs), V(ens)); environment E(ALICLOUD_ACCESS_KEY), E(ALICLOUD_ACCESS_KEY_ID),
        E(ALIBABA_CLOUD_ACCESS_KEY_ID).
    type: str
    aliases: [access_key_id]
  alicloud_secret_key:
    description:
      - Alibaba Cloud access key secret (providers V(ecs), V(ens)); environment E(ALICLOUD_SECRET_KEY),
        E(ALICLOUD_SECRET_ACCESS_KEY), E(ALIBABA_CLOUD_ACCESS_KEY_SECRET).
    type: str
    aliases: [secret_access_key]
  alicloud_security_token:
    description:
      - Alibaba Cloud STS token (providers V(ecs), V(ens)); environment E(ALICLOUD_SECURITY_TOKEN), E(ALIBABA_CLOUD_SECURITY_TOKEN).
    type: str
  alicloud_region:
    description:
      - The Alibaba Cloud region whose ENS API endpoint to use (provider V(ens)). Unset or a China-site region means
        C(ens.aliyuncs.com), any other C(ens.<region>.aliyuncs.com); international accounts set V(ap-southeast-1).
        Environment E(ALICLOUD_REGION), E(ALICLOUD_REGION_ID), E(ALIBABA_CLOUD_REGION_ID).
    type: str
  secret_id:
    description:
      - Tencent Cloud secret ID (provider V(cbs)); environment E(TENCENTCLOUD_SECRET_ID).
    type: str
  security_token:
    description:
      - Tencent Cloud temporary token (provider V(cbs)); environment E(TENCENTCLOUD_SECURITY_TOKEN).
    type: str
  endpoint_url:
    description:
      - The API endpoint to use instead of the cloud's own, for example a private endpoint or a local emulator.
      - For provider V(aws), the environment variables E(AWS_URL) and E(EC2_URL) are read too.
      - With a role to assume, STS is asked at this endpoint too.
    type: str
    aliases: [aws_endpoint_url, ec2_url]
  validate_certs:
    description:
      - Verify the endpoint's TLS certificate. Turn it off only for a test endpoint.
    type: bool
    default: true

attributes:
  platform:
    support: full
    platforms: aws, alicloud, tencentcloud
    description: Talks to the chosen cloud's API.
'''

"""Pointing the real, unmodified SDKs at the emulator (imports the SDKs lazily; they are optional)."""

from __future__ import annotations

import json

from . import credentials as creds


def alibaba_client(
    region: str = 'cn-hangzhou',
    access_key_id: str = creds.ALIBABA_ACCESS_KEY_ID,
    secret: str = creds.ALIBABA_ACCESS_KEY_SECRET,
    security_token: str | None = None,
    auto_retry: bool = True,
    max_retry_time: int | None = None,
):
    """An ``AcsClient``; with ``security_token`` it signs with STS credentials (SecurityToken param)."""
    from aliyunsdkcore.client import AcsClient  # pylint: disable=import-outside-toplevel  # optional SDK

    if security_token:
        from aliyunsdkcore.auth.credentials import StsTokenCredential  # pylint: disable=import-outside-toplevel

        return AcsClient(
            region_id=region,
            credential=StsTokenCredential(access_key_id, secret, security_token),
            auto_retry=auto_retry,
            max_retry_time=max_retry_time,
        )
    return AcsClient(access_key_id, secret, region, auto_retry=auto_retry, max_retry_time=max_retry_time)


def alibaba_call(endpoint: str, client, request) -> dict:
    """Send an aliyunsdkecs/aliyunsdkens request to ``endpoint`` (``127.0.0.1:PORT``) over plain HTTP."""
    request.set_endpoint(endpoint)
    request.set_protocol_type('http')
    return json.loads(client.do_action_with_exception(request))


def tencent_client(
    client_class,
    endpoint: str,
    region: str | None = 'ap-guangzhou',
    secret_id: str = creds.TENCENT_SECRET_ID,
    secret_key: str = creds.TENCENT_SECRET_KEY,
    token: str | None = None,
    method: str = 'POST',
):
    """A ``CbsClient``/``TagClient`` talking plain HTTP to ``endpoint`` (``127.0.0.1:PORT``)."""
    # pylint: disable=import-outside-toplevel  # optional SDK
    from tencentcloud.common.credential import Credential
    from tencentcloud.common.profile.client_profile import ClientProfile
    from tencentcloud.common.profile.http_profile import HttpProfile

    profile = ClientProfile(httpProfile=HttpProfile(protocol='http', endpoint=endpoint, reqMethod=method))
    return client_class(Credential(secret_id, secret_key, token), region, profile)


def ecs_copy_request(source_id: str, destination: str, **params):
    """An aliyunsdkecs CopySnapshot request with the name and description ECS requires
    (ecs-20140526 CopySnapshotRequest); ``params`` set or override any field (None leaves it out)."""
    from aliyunsdkecs.request.v20140526.CopySnapshotRequest import CopySnapshotRequest  # pylint: disable=import-outside-toplevel

    request = CopySnapshotRequest()
    request.set_SnapshotId(source_id)
    request.set_DestinationRegionId(destination)
    for name, value in dict(
        {'DestinationSnapshotName': 'copy-of-' + source_id, 'DestinationSnapshotDescription': 'a copy'}, **params
    ).items():
        if value is not None:
            getattr(request, 'set_' + name)(value)
    return request

# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The errors the engine and the adapters raise, and how they are classified.

Every cloud error that reaches a user names the cloud's own code, message and request id.
The adapter turns its SDK's exceptions into CloudError and says which kind each is, so the
engine can decide, in one place for all clouds, what to retry and what to report.
"""

from __future__ import annotations

from typing import Any

# What an error means for the engine.
RETRYABLE = 'retryable'  # throttling, 5xx, network: try again after a backoff
ALREADY_EXISTS = 'already_exists'  # the thing asked for is already under way: look it up
NOT_FOUND = 'not_found'
INVALID = 'invalid'  # the request is wrong: retrying cannot help
FATAL = 'fatal'  # credentials, permissions, account: stop now
# The cloud is busy with something that ends by itself (a copy of the same disk to the same
# region still running): try again after a while, until the deadline rather than a few times.
BUSY = 'busy'
# Kept by the cloud for something that depends on it (ECS: a disk made from the snapshot). The cloud can be told to
# delete it anyway (Force); a DR run never does: the snapshot is kept, and the run says why.
IN_USE = 'in_use'


class SnapcopyError(Exception):
    """Base of the errors that end a task with a message instead of a traceback."""


class InputError(SnapcopyError):
    """Bad input, found before any call to the cloud (or, what only the cloud can tell, as a DR account that is the
    disks' own, before any call that changes anything). ``option`` names the culprit."""

    def __init__(self, option: str, message: str) -> None:
        super().__init__('%s: %s' % (option, message))
        self.option = option
        self.message = message


# The codes by which a cloud says that it knows no region of the name a request gave: a misspelt region, which only the
# cloud can tell. Alibaba ECS: InvalidRegionId.NotFound, "The specified RegionId does not exist." (ECS API error codes of
# DescribeDisks and the other RegionId calls; fakecloud's conformance tests send RegionId xx-nowhere). Tencent Cloud API
# 3.0's common error code UnsupportedRegion, "the API does not support the region passed" (Tencent's common error codes;
# tencentcloud-sdk-python's cbs errorcodes list only CBS's own).
UNKNOWN_REGION_CODES = ('InvalidRegionId.NotFound', 'UnsupportedRegion')


class CloudError(SnapcopyError):
    """An error answered by a cloud (or the network on the way to it).

    ``uncertain`` is true when the request may have been carried out although no answer
    came back (a dropped connection, a read timeout): a retry of a mutating call must then
    look for what it may have created before calling again.
    """

    def __init__(
        self,
        action: str,
        code: str,
        message: str,
        *,
        request_id: str | None = None,
        kind: str = FATAL,
        uncertain: bool = False,
        region: str | None = None,
    ) -> None:
        self.action = action
        self.code = code
        self.message = message
        self.request_id = request_id
        self.kind = kind
        self.uncertain = uncertain
        self.region = region
        # Set once the call was retried as often as allowed: nobody retries it again.
        self.exhausted = False
        # After a read timeout, how long the cloud may still be carrying the call out (as long
        # again as the client waited): a look-up for what it made waits that long first.
        self.settle_seconds: float = 0
        super().__init__(self.describe())

    @classmethod
    def maybe_done(
        cls, action: str, code: str, message: str, *, region: str | None, request_id: str | None = None
    ) -> CloudError:
        """The error of a call that went out and whose answer was lost or does not say what it did: the call may have
        been carried out, so the error is ``uncertain`` (a retry of a mutating call first looks for what it made) and
        RETRYABLE."""
        return cls(action, code, message, request_id=request_id, kind=RETRYABLE, uncertain=True, region=region)

    def describe(self) -> str:
        text = '%s failed: %s: %s' % (self.action, self.code, self.message)
        if self.region:
            text += ' (region %s)' % self.region
        if self.request_id:
            text += ' [request id %s]' % self.request_id
        return text

    def as_result(self) -> dict[str, Any]:
        return {'action': self.action, 'code': self.code, 'message': self.message, 'request_id': self.request_id}


# How many client timeouts to wait, after a call timed out, before looking for what it may have made: a cloud that
# did not answer within one timeout may still be queueing the request (a busy front end). One was too few: a copy
# that landed 1.5 timeouts late was made twice (docs/reliability.md).
SETTLE_TIMEOUTS = 2


def note_read_timeout(error: CloudError, timeout: float) -> CloudError:
    """Mark an uncertain error that comes from a read timeout with the seconds to let the cloud settle."""
    message = error.message.lower()
    if error.uncertain and ('timed out' in message or 'read timeout' in message):
        error.settle_seconds = SETTLE_TIMEOUTS * timeout
    return error


def is_retryable(error: BaseException) -> bool:
    """The classifier the engine gives the backoff: only CloudErrors of kind RETRYABLE, not retried to the end
    already."""
    return isinstance(error, CloudError) and error.kind == RETRYABLE and not error.exhausted


# Calls that may be sent again after any failure, a lost answer included: reads, and setting tags or a description.
SAFE_TO_RESEND_PREFIXES = ('Describe', 'List', 'Get')
SAFE_TO_RESEND = (
    'TagResources',
    'AttachResourcesTag',  # a key set to one value, as TagResources
    'CreateTags',
    'ModifySnapshotAttribute',
    'ModifySnapshotsSharePermission',
)


# The codes of a call the caller's policy does not allow (EC2 UnauthorizedOperation, KMS/STS AccessDenied*, Alibaba
# Forbidden.RAM / NoPermission, Tencent UnauthorizedOperation.*, AuthFailure.UnauthorizedOperation).
PERMISSION_CODE_PARTS = ('UnauthorizedOperation', 'AccessDenied', 'Forbidden', 'NoPermission')


# The codes of a tag call refused because a resource it names carries as many tags as the cloud allows: EC2
# TagLimitExceeded (50 a resource, "Tag restrictions" of the EC2 user guide), Tencent Tag
# LimitExceeded.ResourceAttachedTags (50 a resource: cloud.tencent.com/document/product/597/33355, "每个云资源允许的最大标签数是
# 50"), ECS TagResources OperationDenied.QuotaExceed (20 a resource). None of them names the resource.
TAG_LIMIT_CODES = ('TagLimitExceeded', 'LimitExceeded.ResourceAttachedTags', 'OperationDenied.QuotaExceed')


def is_tag_limit(error: CloudError) -> bool:
    """Whether ``error`` says a resource of its tag call has no room for another tag."""
    return error.code in TAG_LIMIT_CODES


def is_permission_refusal(error: CloudError) -> bool:
    """Whether the cloud refused ``error``'s call because the caller may not make it."""
    return any(part in error.code for part in PERMISSION_CODE_PARTS)


def safe_to_resend(action: str) -> bool:
    """Whether sending ``action`` twice does no more than sending it once."""
    return action.startswith(SAFE_TO_RESEND_PREFIXES) or action in SAFE_TO_RESEND


class PreflightError(CloudError):
    """A copy the cloud would refuse, found before any copy call from what the run read (a key, a kind of snapshot), with
    what to do (``fix``): the plan's preflight lists it (dr.plan)."""

    def __init__(self, action: str, code: str, message: str, *, fix: str, region: str | None = None) -> None:
        super().__init__(action, code, message, kind=INVALID, region=region)
        self.fix = fix


class CopyNotTaggedError(CloudError):
    """A copy was made but its tags could not be set: the error keeps the copy's id, so the
    task reports it (and a rerun finds the copy by its source link or name and tags it)."""

    def __init__(self, snapshot_id: str, region: str, error: CloudError) -> None:
        self.snapshot_id = snapshot_id
        super().__init__(
            error.action,
            error.code,
            '%s. The copy %s was made, but its tags are not set; fix the cause '
            'and run again: the rerun finds the copy and sets them' % (error.message.rstrip('.'), snapshot_id),
            request_id=error.request_id,
            kind=error.kind,
            region=region,
        )

    def as_result(self) -> dict[str, Any]:
        result = super().as_result()
        result['snapshot_id'] = self.snapshot_id
        return result


def untagged_copy_error(copy_id: str, region: str, error: CloudError, *, may_pass: bool) -> CloudError:
    """What start_copy answers for the copy ``copy_id`` it made in ``region`` but could not tag.

    When the tagging error ``may_pass``, an uncertain, retryable error: the engine looks the
    destination up, which finds the copy, tags it and counts it as made by this run. Otherwise
    an error that keeps the copy's id.
    """
    if may_pass:
        return CloudError.maybe_done(
            error.action,
            error.code,
            error.message,
            request_id=error.request_id,
            region=region,
        )
    return CopyNotTaggedError(copy_id, region, error)

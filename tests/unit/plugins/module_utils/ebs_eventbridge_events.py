"""The EBS snapshot events that EventBridge sends, as AWS documents them: the test fixtures of the event source's AWS
push path (test_snapshot_events.py).

Source: the Amazon EBS User Guide, "Amazon EventBridge events for Amazon EBS", section "EBS snapshot events"
(https://docs.aws.amazon.com/ebs/latest/userguide/ebs-cloud-watch-events.html#snapshot-events), whose text, as the EC2
user guide's "EventBridge for Amazon EBS", is archived in github.com/awsdocs/amazon-ec2-user-guide,
doc_source/ebs-cloud-watch-events.md (commit 0147f878dcbad26b1151a12701a773743f0cd496). Each example below is the
guide's own, field for field, with its placeholders: ``yyyy-mm-ddThh:mm:ssZ`` for times, ``snap-01234567`` (and the
guide's other ids) for snapshots; ``example()`` puts real ones in.

Two forms of a snapshot's ARN are in those examples, and the event source must take both (AWS's own sample Lambda splits
the ARN at ``snapshot/``): createSnapshot and copySnapshot write the region in the ARN's region field
(``arn:aws:ec2:us-west-2::snapshot/snap-01234567``), the multi-volume event "EBS Multi-Volume Snapshots Completion
Status" writes it in the account field (``arn:aws:ec2::us-east-1:snapshot/snap-01234567``). Issue 46 reports the guide's
current createSnapshot and copySnapshot examples in that second form: ``ACCOUNT_FIELD_FORM`` moves an example's ARNs
there. The createSnapshot example's own ``region`` (us-east-1) differs from its ARN's (us-west-2): the guide's, kept as
it is.
"""

from __future__ import annotations

import json
import re

# createSnapshot, succeeded ("EBS Snapshot Notification").
CREATE_SNAPSHOT = r'''
{
  "version": "0",
  "id": "01234567-0123-0123-0123-012345678901",
  "detail-type": "EBS Snapshot Notification",
  "source": "aws.ec2",
  "account": "012345678901",
  "time": "yyyy-mm-ddThh:mm:ssZ",
  "region": "us-east-1",
  "resources": [
     "arn:aws:ec2:us-west-2::snapshot/snap-01234567"
  ],
  "detail": {
    "event": "createSnapshot",
    "result": "succeeded",
    "cause": "",
    "request-id": "",
    "snapshot_id": "arn:aws:ec2:us-west-2::snapshot/snap-01234567",
    "source": "arn:aws:ec2:us-west-2::volume/vol-01234567",
    "startTime": "yyyy-mm-ddThh:mm:ssZ",
    "endTime": "yyyy-mm-ddThh:mm:ssZ"  }
}
'''

# createSnapshots, succeeded: a multi-volume snapshot set ("EBS Multi-Volume Snapshots Completion Status").
CREATE_SNAPSHOTS = r'''
{
  "version": "0",
  "id": "01234567-0123-0123-0123-012345678901",
  "detail-type": "EBS Multi-Volume Snapshots Completion Status",
  "source": "aws.ec2",
  "account": "012345678901",
  "time": "yyyy-mm-ddThh:mm:ssZ",
  "region": "us-east-1",
  "resources": [
    "arn:aws:ec2::us-east-1:snapshot/snap-01234567",
    "arn:aws:ec2::us-east-1:snapshot/snap-012345678"
  ],
  "detail": {
    "event": "createSnapshots",
    "result": "succeeded",
    "cause": "",
    "request-id": "",
    "startTime": "yyyy-mm-ddThh:mm:ssZ",
    "endTime": "yyyy-mm-ddThh:mm:ssZ",
    "snapshots": [
      {
        "snapshot_id": "arn:aws:ec2::us-east-1:snapshot/snap-01234567",
        "source": "arn:aws:ec2::us-east-1:volume/vol-01234567",
        "status": "completed"
      },
      {
        "snapshot_id": "arn:aws:ec2::us-east-1:snapshot/snap-012345678",
        "source": "arn:aws:ec2::us-east-1:volume/vol-012345678",
        "status": "completed"
      }
    ]
  }
}
'''

# createSnapshots, failed: one or more snapshots of the set did not complete.
CREATE_SNAPSHOTS_FAILED = r'''
{
  "version": "0",
  "id": "01234567-0123-0123-0123-012345678901",
  "detail-type": "EBS Multi-Volume Snapshots Completion Status",
  "source": "aws.ec2",
  "account": "012345678901",
  "time": "yyyy-mm-ddThh:mm:ssZ",
  "region": "us-east-1",
  "resources": [
    "arn:aws:ec2::us-east-1:snapshot/snap-01234567",
    "arn:aws:ec2::us-east-1:snapshot/snap-012345678"
  ],
"detail": {
    "event": "createSnapshots",
    "result": "failed",
    "cause": "Snapshot snap-01234567 is in status error",
   "request-id": "",
    "startTime": "yyyy-mm-ddThh:mm:ssZ",
    "endTime": "yyyy-mm-ddThh:mm:ssZ",
    "snapshots": [
      {
        "snapshot_id": "arn:aws:ec2::us-east-1:snapshot/snap-01234567",
        "source": "arn:aws:ec2::us-east-1:volume/vol-01234567",
        "status": "error"
      },
      {
        "snapshot_id": "arn:aws:ec2::us-east-1:snapshot/snap-012345678",
        "source": "arn:aws:ec2::us-east-1:volume/vol-012345678",
        "status": "error"
      }
    ]
  }
}
'''

# copySnapshot, succeeded: snapshot_id is the new copy, source the snapshot it was copied from.
COPY_SNAPSHOT = r'''
{
  "version": "0",
  "id": "01234567-0123-0123-0123-012345678901",
  "detail-type": "EBS Snapshot Notification",
  "source": "aws.ec2",
  "account": "123456789012",
  "time": "yyyy-mm-ddThh:mm:ssZ",
  "region": "us-east-1",
  "resources": [
    "arn:aws:ec2:us-west-2::snapshot/snap-01234567"
  ],
  "detail": {
    "event": "copySnapshot",
    "result": "succeeded",
    "cause": "",
    "request-id": "",
    "snapshot_id": "arn:aws:ec2:us-west-2::snapshot/snap-01234567",
    "source": "arn:aws:ec2:eu-west-1::snapshot/snap-76543210",
    "startTime": "yyyy-mm-ddThh:mm:ssZ",
    "endTime": "yyyy-mm-ddThh:mm:ssZ",
    "Incremental": "true"
  }
}
'''

# copySnapshot, failed: the source snapshot's id was not valid.
COPY_SNAPSHOT_FAILED = r'''
{
  "version": "0",
  "id": "01234567-0123-0123-0123-012345678901",
  "detail-type": "EBS Snapshot Notification",
  "source": "aws.ec2",
  "account": "123456789012",
  "time": "yyyy-mm-ddThh:mm:ssZ",
  "region": "us-east-1",
  "resources": [
    "arn:aws:ec2:us-west-2::snapshot/snap-01234567"
  ],
  "detail": {
    "event": "copySnapshot",
    "result": "failed",
    "cause": "Source snapshot ID is not valid",
    "request-id": "",
    "snapshot_id": "arn:aws:ec2:us-west-2::snapshot/snap-01234567",
    "source": "arn:aws:ec2:eu-west-1::snapshot/snap-76543210",
    "startTime": "yyyy-mm-ddThh:mm:ssZ",
    "endTime": "yyyy-mm-ddThh:mm:ssZ"
  }
}
'''

# The guide's example snapshot ids, in the order example() replaces them.
EXAMPLE_SNAPSHOTS = ('snap-01234567', 'snap-012345678')
EXAMPLE_REGIONS = ('us-west-2', 'us-east-1')
ACCOUNT_FIELD_FORM = 'account'
REGION_FIELD_FORM = 'region'


def example(
    text: str,
    snapshot_ids: tuple[str, ...] | list[str],
    region: str,
    time: str = '2026-11-25T10:00:00Z',
    arn_form: str | None = None,
) -> str:
    """The JSON text of AWS's example ``text`` for snapshots ``snapshot_ids`` in ``region`` at ``time``: the guide's
    snapshot ids, its regions (those of its snapshots and of the event; the source snapshot of a copy keeps eu-west-1)
    and its time placeholder replaced, and with ``arn_form`` (ACCOUNT_FIELD_FORM or REGION_FIELD_FORM) every ec2 ARN
    written in that form. The result is checked to be JSON, as EventBridge writes it."""
    for placeholder, snapshot_id in zip(EXAMPLE_SNAPSHOTS, snapshot_ids):
        text = re.sub(re.escape(placeholder) + r'\b', snapshot_id, text)
    for placeholder in EXAMPLE_REGIONS:
        text = text.replace(placeholder, region)
    text = text.replace('yyyy-mm-ddThh:mm:ssZ', time)
    if arn_form == ACCOUNT_FIELD_FORM:
        text = re.sub(r'arn:aws:ec2:([a-z0-9-]+)::', r'arn:aws:ec2::\1:', text)
    elif arn_form == REGION_FIELD_FORM:
        text = re.sub(r'arn:aws:ec2::([a-z0-9-]+):', r'arn:aws:ec2:\1::', text)
    json.loads(text)
    return text

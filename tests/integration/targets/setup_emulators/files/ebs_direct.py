"""The EBS direct read APIs (ListSnapshotBlocks, ListChangedBlocks, GetSnapshotBlock) for the EC2 snapshots of moto's
server, as a WSGI layer in front of it (``with_ebs_direct(app)``, outside ebs_vault.py's layer), with deterministic block
data for every snapshot: what verifying a DR copy against its source (issue 50) reads.

The oracle is botocore's model of the ``ebs`` service (data/ebs/2019-11-02/service-2.json: protocol rest-json, signing
name ``ebs``), then the EBS user guide's "Frequently asked questions for EBS direct APIs" (the FAQ below). From them:
- ListSnapshotBlocks: GET /snapshots/{snapshotId}/blocks?maxResults&pageToken&startingBlockIndex; answers Blocks
  [{BlockIndex, BlockToken}], ExpiryTime, VolumeSize (GiB), BlockSize (bytes), NextToken (absent on the last page).
- ListChangedBlocks: GET /snapshots/{secondSnapshotId}/changedblocks?firstSnapshotId&maxResults&pageToken&
  startingBlockIndex; answers ChangedBlocks [{BlockIndex, FirstBlockToken, SecondBlockToken}] ("FirstBlockToken ...
  is absent if the first snapshot does not have the changed block that is on the second snapshot"), ExpiryTime,
  VolumeSize, BlockSize, NextToken. Snapshots of two lineages: ValidationException UNRELATED_SNAPSHOTS (the model's
  reason; its message is ours).
- GetSnapshotBlock: GET /snapshots/{snapshotId}/blocks/{blockIndex}?blockToken; the body is the block's bytes, headers
  x-amz-Data-Length, x-amz-Checksum (base64, GetSnapshotBlockResponse.Checksum) and x-amz-Checksum-Algorithm SHA256
  (ChecksumAlgorithm's one value); 524,288 bytes a block (GetSnapshotBlockRequest.BlockIndex: "units of 512 KiB").
- MaxResults 100-10,000 (shape MaxResults). botocore refuses under 100 before sending (its validator checks the
  model's min); the FAQ says the service itself, sent under 100, "will return at least 100 results": so answered here
  as 100. Over 10,000 (botocore checks no max) is refused, ValidationException INVALID_PARAMETER_VALUE (the reason is
  ours: unverified). "If you specify NextToken, then StartingBlockIndex is ignored" (the requests' NextToken).
- SnapshotId ^snap-[0-9a-f]+$, 1-64 characters: another is ValidationException INVALID_SNAPSHOT_ID (our reading of the
  reason's name); BlockToken and PageToken ^[A-Za-z0-9+/=]+$, at most 256 (so are these tokens).
- Errors: rest-json, the code in x-amzn-ErrorType, the request id in x-amzn-RequestId, the body {"message", "Reason"}:
  ValidationException 400 (reasons INVALID_BLOCK_TOKEN, INVALID_PAGE_TOKEN, INVALID_SNAPSHOT_ID, UNRELATED_SNAPSHOTS,
  INVALID_PARAMETER_VALUE), ResourceNotFoundException 404 (SNAPSHOT_NOT_FOUND), AccessDeniedException 403 (its Reason
  is required: UNAUTHORIZED_ACCOUNT). Which reason AWS gives in each case is not in the model: unverified but for the
  names themselves.
- The FAQ: only a completed snapshot can be read ("Can a snapshot be accessed using the EBS direct APIs if it has a
  pending status? No."); the code of the refusal is not documented: ValidationException INVALID_SNAPSHOT_ID here
  (unverified). Block indexes are answered "unique, and in numerical order"; only blocks that hold written data are
  listed; "block tokens are valid for seven days, and the next token is valid for 60 minutes" (both by the cloud's
  clock, ebs_vault.cloud_time). A snapshot is read in its own account and region: another account's, even shared, is
  answered as not found (unverified; the FAQ says only that public snapshots are not supported). Encrypted snapshots
  are read as others (the FAQ: the caller needs the KMS key; no key is checked here).
- A copy: "CopySnapshot ... creates an exact copy" (EC2 API reference, CopySnapshot): the copy lists the same blocks
  with the same data, in any region. ListChangedBlocks compares snapshots of "the same volume/snapshot lineage": two
  copies compare only when both are incremental copies (issue 61, 6), the second and later copies of a volume's
  snapshots in a region while an earlier one is there; a full copy (the first) is a lineage of its own, and compared
  with any other snapshot is refused, ValidationException UNRELATED_SNAPSHOTS.

The block data, never held in memory: a volume of N GiB has N * 2,048 blocks. Its first data (generation "base") is a
run of 1-16 written blocks in each 256-block chunk (128 MiB), placed by a hash of the volume id and the chunk; a write
(write_blocks, write_range: a test's churn or "ransomware") appends an operation to the volume's list; a snapshot keeps
the volume id, its size, how many operations it saw and the blocks a test corrupted on it (corrupt_block). A block's
bytes are SHAKE-256 of (volume, index, the generation that wrote it), made when it is read; a corrupted block's of the
snapshot it was corrupted on. A snapshot this layer did not see made (seeded in moto's backend directly) is taken up at
its first read with its volume's operations of that moment.

DescribeSnapshots answers each snapshot's FullSnapshotSizeInBytes, which moto does not: "the size of all the blocks
that were written to the source volume at the time the snapshot was created" (ec2 2016-11-15, Snapshot), its written
blocks here (a copy's are its source's).

The meter (issue 64): each CopySnapshot, full or incremental by the rule above (copied_snapshot), with the bytes it
moves and adds: a full copy its source's written blocks, an incremental one the blocks that differ from the data of the
newest copy of the volume before it in the region. meter() sums them per region: copies full and incremental,
bytes_moved, and bytes_stored (those of the copies still there).

Test hooks, module-level as ebs_vault's: write_blocks, write_range, corrupt_block, zero_block, DENIED ((account, operation) answered
AccessDeniedException), EBS_CALLS (the EBS direct calls answered, by operation), the fault plan (fault, FAULTS) and the
meter (meter); and the same over HTTP for suites that run moto's server as a process: POST /snapcopy-test/ebs-direct
with a JSON body {"write": {"volume_id", "indexes"} or {"volume_id", "start", "stop"}} or {"corrupt": {"snapshot_id",
"index"}} or {"zero": {"snapshot_id", "index"}}, or
{"fault": {"operation", "code", "reason", "count"}} (or {"fault": null}: none), or {"device_dir": a folder, or null}
for the device directory below, or {"meter": {} or {"account"}}, answered {"meter": meter()}.

The fault plan: ``fault(operation, code, reason, count)`` has the next ``count`` calls of ``operation`` (every one with
count None) answered with the error ``code``, counted in EBS_CALLS as any answer. Only what the model lists for the read
operations (their "errors": RequestThrottledException, ServiceQuotaExceededException, InternalServerException), with a
reason of the exception's enum: RequestThrottledException 400 (ACCOUNT_THROTTLED, DEPENDENCY_REQUEST_THROTTLED,
RESOURCE_LEVEL_THROTTLE), ServiceQuotaExceededException 402 (DEPENDENCY_SERVICE_QUOTA_EXCEEDED), InternalServerException
500 (no reason). ConcurrentLimitExceededException is listed for StartSnapshot only, a call this layer does not answer.
The messages are ours (unverifiable).

The device directory: a restore drill's user tasks read the disks it attached, here as files. With the environment
variable SNAPCOPY_DEVICE_DIR set in the emulator's process (read at each call, so a test may set it for a while), an
AttachVolume that moto carried out writes the file <SNAPCOPY_DEVICE_DIR>/<volume id> (the folder made if missing), and a
DetachVolume that it carried out removes it. The file is what the instance would read from the device: the data of the
snapshot the volume was made from, as it was when CreateVolume made the volume (the blocks listed above, corruptions
too, each at its index * 524,288 bytes), sparse, as long as the volume (its size in GiB * 2**30 bytes); a volume made
from no snapshot is all zeros. It is written whole before AttachVolume answers (under a hidden name first, then renamed:
a reader never sees half a file). Writes to the restored volume itself (write_blocks on its id) are not in it, nor is a
volume attached or detached other than by AttachVolume and DetachVolume (an instance's root volume, a terminated
instance's volumes), and a file stays when the variable is unset before the volume is detached.
"""

from __future__ import annotations

import base64
import bisect
import collections
import hashlib
import heapq
import hmac
import io
import json
import os
import re
import threading
import uuid
from urllib.parse import parse_qs

try:  # beside this file: a package in the unit tests, a script's folder in moto_server.py
    from . import ebs_vault
except ImportError:  # pragma: no cover  # run as moto_server.py's neighbour
    import ebs_vault  # type: ignore[no-redef]

BLOCK_SIZE = 524288  # GetSnapshotBlockRequest.BlockIndex: "a logical index in units of 512 KiB blocks"
BLOCKS_PER_GIB = 1024 * 1024 * 1024 // BLOCK_SIZE
MAX_RESULTS = (100, 10000)  # shape MaxResults
BLOCK_TOKEN_SECONDS = 7 * 86400  # the FAQ: block tokens are valid for seven days
PAGE_TOKEN_SECONDS = 3600  # the FAQ: the next token for 60 minutes
CHUNK = 256  # blocks a chunk of a volume's first data: one run of written blocks in each
RUN = 16  # at most this many blocks a run
SNAPSHOT_ID = re.compile(r'snap-[0-9a-f]+')
CREDENTIAL = re.compile(r'Credential=(?P<key>[^/]+)/\d{8}/(?P<region>[^/]+)/(?P<service>[^/]+)/')
ROUTES = (
    ('ListSnapshotBlocks', re.compile(r'/snapshots/(?P<snapshot>[^/]+)/blocks')),
    ('ListChangedBlocks', re.compile(r'/snapshots/(?P<snapshot>[^/]+)/changedblocks')),
    ('GetSnapshotBlock', re.compile(r'/snapshots/(?P<snapshot>[^/]+)/blocks/(?P<index>[^/]+)')),
)
ADMIN_PATH = '/snapcopy-test/ebs-direct'
DEVICE_DIR_VARIABLE = 'SNAPCOPY_DEVICE_DIR'  # the device directory (the module's docstring)
ACTION = re.compile(rb'(?:^|&)Action=([A-Za-z]+)(?:&|$)')
SECRET = uuid.uuid4().bytes  # the tokens' key, this process's
ZEROS = 'zeros'  # what wrote a block of zeros that a snapshot lists (zero_block)

# corrupt: {index: label}; lineage: None for a volume's own snapshots, else the copy's (copied_snapshot)
Snapshot = collections.namedtuple('Snapshot', 'volume_id size_gib seen corrupt lineage', defaults=(None,))
Write = collections.namedtuple('Write', 'generation indexes start stop')  # indexes (sorted) or [start, stop)

VOLUMES: dict = {}  # volume id -> [Write], in order
SNAPSHOTS: dict = {}  # snapshot id -> Snapshot
VOLUME_DATA: dict = {}  # volume id -> the Snapshot it was made from, as it was then (the device directory)
DENIED: set = set()  # (account, operation) answered AccessDeniedException UNAUTHORIZED_ACCOUNT
COPIES: dict = {}  # (account, region, volume id) -> the copies of its snapshots made there, in order
METER: list = []  # each copy made: {account, region, snapshot_id, volume_id, full, bytes}, in order (the meter)
FULL_BYTES: dict = {}  # snapshot id -> its written blocks' bytes (FullSnapshotSizeInBytes), once counted
FAULTS: list = []  # the fault plan: [{operation, code, reason, left (None: every call)}], in order
EBS_CALLS: collections.Counter = collections.Counter()  # operation -> calls answered here
_LOCK = threading.Lock()


class EbsError(Exception):
    STATUS = {
        'ValidationException': 400,
        'ResourceNotFoundException': 404,
        'AccessDeniedException': 403,
        'RequestThrottledException': 400,
        'ServiceQuotaExceededException': 402,
        'InternalServerException': 500,
    }

    def __init__(self, code, reason, message):
        super().__init__(message)
        self.code, self.reason, self.message = code, reason, message


# The test hooks.


def write_blocks(volume_id, indexes):
    """New data in the blocks ``indexes`` of ``volume_id``: its next snapshots hold it."""
    with _LOCK:
        writes = VOLUMES.setdefault(volume_id, [])
        writes.append(Write(len(writes) + 1, tuple(sorted({int(i) for i in indexes})), None, None))


def write_range(volume_id, start=0, stop=None):
    """New data in every block from ``start`` up to ``stop`` (the volume's end when None): a rewrite of most of a disk,
    as ransomware does, kept as one operation however large."""
    with _LOCK:
        writes = VOLUMES.setdefault(volume_id, [])
        writes.append(Write(len(writes) + 1, None, int(start), None if stop is None else int(stop)))


def corrupt_block(snapshot_id, index):
    """The block ``index`` of the snapshot ``snapshot_id`` (a copy, say) holds other bytes, so another checksum."""
    with _LOCK:
        snapshot = _known(snapshot_id)
        if snapshot is None:
            raise KeyError(snapshot_id)
        snapshot.corrupt[int(index)] = 'corrupt-%s' % snapshot_id
        FULL_BYTES.pop(snapshot_id, None)


# What the fault plan may answer: the read operations' errors of the model, with the reasons of their enums.
FAULT_REASONS = {
    'RequestThrottledException': ('ACCOUNT_THROTTLED', 'DEPENDENCY_REQUEST_THROTTLED', 'RESOURCE_LEVEL_THROTTLE'),
    'ServiceQuotaExceededException': ('DEPENDENCY_SERVICE_QUOTA_EXCEEDED',),
    'InternalServerException': (None,),
}
FAULT_MESSAGES = {
    'RequestThrottledException': 'Rate exceeded.',
    'ServiceQuotaExceededException': 'Your current service quotas do not allow you to perform this action.',
    'InternalServerException': 'An internal error has occurred.',
}


def fault(operation, code, reason=None, count=1):
    """The next ``count`` calls of ``operation`` (every one with None) answered with the error ``code`` and
    ``reason`` (the fault plan, the module's docstring); a code or reason the model does not list is refused."""
    if operation not in {name for name, dummy in ROUTES} or code not in FAULT_REASONS:
        raise ValueError('no such fault in the ebs model: %s %s' % (operation, code))
    if reason not in FAULT_REASONS[code]:
        raise ValueError('%s takes the reasons %s' % (code, FAULT_REASONS[code]))
    with _LOCK:
        FAULTS.append({'operation': operation, 'code': code, 'reason': reason, 'left': count})


def _planned_fault(operation):
    """The error the fault plan answers this call of ``operation`` with, its count spent; None. Under _LOCK."""
    for rule in FAULTS:
        if rule['operation'] == operation and rule['left'] != 0:
            if rule['left'] is not None:
                rule['left'] -= 1
            return EbsError(rule['code'], rule['reason'], FAULT_MESSAGES[rule['code']])
    return None


def zero_block(snapshot_id, index):
    """The snapshot ``snapshot_id`` lists the block ``index``, which holds zeros: a block written with zeros is written
    data ("only blocks that hold written data are listed", the FAQ), and nothing in the vendor's texts says a copy lists
    it as its source does (issue 61, 8)."""
    with _LOCK:
        snapshot = _known(snapshot_id)
        if snapshot is None:
            raise KeyError(snapshot_id)
        snapshot.corrupt[int(index)] = ZEROS
        FULL_BYTES.pop(snapshot_id, None)


def reset():
    """Forget every volume's writes and every snapshot's data (a test's own regions make this rarely needed)."""
    with _LOCK:
        VOLUMES.clear()
        SNAPSHOTS.clear()
        VOLUME_DATA.clear()
        DENIED.clear()
        COPIES.clear()
        METER.clear()
        FULL_BYTES.clear()
        FAULTS.clear()
        EBS_CALLS.clear()


# The data.


def _base_run(volume_id, chunk):
    """(first, stop) of the run of written blocks of the first data in ``chunk``."""
    digest = hashlib.sha256(('%s/%d' % (volume_id, chunk)).encode()).digest()
    length = 1 + digest[0] % RUN
    offset = int.from_bytes(digest[1:3], 'big') % (CHUNK - RUN + 1)
    first = chunk * CHUNK + offset
    return first, first + length


def _base_from(volume_id, start, blocks):
    """The blocks of the first data from ``start`` on, in order."""
    chunk = max(start, 0) // CHUNK
    while chunk * CHUNK < blocks:
        first, stop = _base_run(volume_id, chunk)
        yield from range(max(first, start), min(stop, blocks))
        chunk += 1


def _is_base(volume_id, index):
    first, stop = _base_run(volume_id, index // CHUNK)
    return first <= index < stop


def _write_from(write, start, blocks):
    if write.indexes is not None:
        return (i for i in write.indexes if start <= i < blocks)
    stop = blocks if write.stop is None else min(write.stop, blocks)
    return iter(range(max(write.start, start), stop))


def _covers(write, index):
    if write.indexes is not None:
        at = bisect.bisect_left(write.indexes, index)
        return at < len(write.indexes) and write.indexes[at] == index
    return write.start <= index and (write.stop is None or index < write.stop)


def label(snapshot, index):
    """What wrote block ``index`` of ``snapshot``: a corruption, a generation, 'base', or None (never written)."""
    if index in snapshot.corrupt:
        return snapshot.corrupt[index]
    if not 0 <= index < snapshot.size_gib * BLOCKS_PER_GIB:
        return None
    for write in reversed(VOLUMES.get(snapshot.volume_id, [])[: snapshot.seen]):
        if _covers(write, index):
            return 'g%d' % write.generation
    return 'base' if _is_base(snapshot.volume_id, index) else None


def block_bytes(snapshot, index):
    """The 524,288 bytes of block ``index`` of ``snapshot`` (it must be written)."""
    return _data(snapshot.volume_id, index, label(snapshot, index))


def _data(volume_id, index, written_by):
    if written_by == ZEROS:
        return bytes(BLOCK_SIZE)
    return hashlib.shake_256(('%s/%d/%s' % (volume_id, index, written_by)).encode()).digest(BLOCK_SIZE)


def _unique(indexes):
    last = None
    for index in indexes:
        if index != last:
            yield index
            last = index


def written_from(snapshot, start):
    """The written blocks of ``snapshot`` from ``start`` on, in order, each once (none is materialized)."""
    blocks = snapshot.size_gib * BLOCKS_PER_GIB
    sources = [_base_from(snapshot.volume_id, start, blocks)]
    sources += [_write_from(write, start, blocks) for write in VOLUMES.get(snapshot.volume_id, [])[: snapshot.seen]]
    sources.append(iter(sorted(i for i in snapshot.corrupt if i >= start)))
    return _unique(heapq.merge(*sources))


def changed_from(first, second, start):
    """(index, first's label, second's label) of the blocks that differ between two snapshots of one volume, from
    ``start`` on, in order; ``first`` None: every written block of ``second``."""
    if first is None:
        return ((index, None, label(second, index)) for index in written_from(second, start))
    low, high = sorted((first.seen, second.seen))
    blocks = max(first.size_gib, second.size_gib) * BLOCKS_PER_GIB
    sources = [_write_from(write, start, blocks) for write in VOLUMES.get(second.volume_id, [])[low:high]]
    sources.append(iter(sorted(i for i in set(first.corrupt) | set(second.corrupt) if i >= start)))
    if first.size_gib != second.size_gib:  # a grown volume's first data beyond the smaller size
        smaller = min(first.size_gib, second.size_gib) * BLOCKS_PER_GIB
        sources.append(i for i in _base_from(second.volume_id, max(start, smaller), blocks))
    return (
        (index, label(first, index), label(second, index))
        for index in _unique(heapq.merge(*sources))
        if label(first, index) != label(second, index)
    )


# moto's snapshots.


def _moto_snapshot(snapshot_id, account=None, region=None):
    """moto's Snapshot ``snapshot_id`` in ``account`` (any when None) and ``region`` (any when None), among the
    backends moto holds already: moto makes a region's backend on its first look-up, which costs far more than this."""
    from moto.ec2.models import ec2_backends  # pylint: disable=import-outside-toplevel  # moto's state, in moto's process

    for owner in [account] if account else list(ec2_backends):
        regional = dict.get(ec2_backends, owner) or {}
        for where in [region] if region else list(regional):
            backend = dict.get(regional, where)
            found = backend.snapshots.get(snapshot_id) if backend is not None else None
            if found is not None:
                return found
    return None


def _known(snapshot_id, moto_snapshot=None, account=None, region=None):
    """Our Snapshot of ``snapshot_id``, taken up from moto's (its volume's writes so far) when not seen yet. Under
    _LOCK."""
    snapshot = SNAPSHOTS.get(snapshot_id)
    if snapshot is None:
        moto_snapshot = moto_snapshot or _moto_snapshot(snapshot_id, account, region)
        if moto_snapshot is None:
            return None
        volume = moto_snapshot.volume
        snapshot = Snapshot(volume.id, int(volume.size), len(VOLUMES.get(volume.id, [])), {})
        SNAPSHOTS[snapshot_id] = snapshot
    return snapshot


def took_snapshots(body, account, region):
    """A CreateSnapshot(s) answer: each new snapshot holds its volume's data as it is now."""
    with _LOCK:
        for snapshot_id in re.findall(r'<snapshotId>(snap-[0-9a-f]+)</snapshotId>', body):
            _known(snapshot_id, account=account, region=region)


def copied_snapshot(body, params, account, region):
    """A CopySnapshot answer in ``account`` and ``region``: the copy holds its source's data exactly, corruptions too.
    It is an incremental copy when a copy of a snapshot of the same volume is still there under the same encryption
    ("The resulting EBS Snapshot will be incremental if there is already a prior copy of the EBS Snapshot encrypted
    under the same custom CMK in the destination account/region", AWS What's New, 2018-05; "if you encrypt the snapshot
    copy using a different KMS key, the copy is a full copy", EBS user guide, Copy an Amazon EBS snapshot), and then of
    the lineage of the volume's incremental copies there under that key; else a full copy, a lineage of its own.
    ListChangedBlocks compares two copies only when both are incremental copies (issue 61, 6). The meter (METER) takes
    the copy: a full one moves and adds its source's written blocks, an incremental one the blocks that differ from the
    data of the newest copy before it there."""
    match = re.search(r'<snapshotId>(snap-[0-9a-f]+)</snapshotId>', body)
    if not match:
        return
    with _LOCK:
        source = _known(params.get('SourceSnapshotId', ''), region=params.get('SourceRegion'))
        if source is not None:
            there = COPIES.setdefault((account, region, source.volume_id), [])
            before = next((copy_id for copy_id in reversed(there) if _moto_snapshot(copy_id, account, region)), None)
            key = _encryption(_moto_snapshot(match.group(1), account, region))
            incremental = before is not None and _encryption(_moto_snapshot(before, account, region)) == key
            lineage = ('incremental', account, region, *key) if incremental else ('full', match.group(1))
            there.append(match.group(1))
            SNAPSHOTS[match.group(1)] = source._replace(corrupt=dict(source.corrupt), lineage=lineage)
            blocks = (
                sum(1 for dummy in changed_from(SNAPSHOTS[before], source, 0))
                if incremental
                else sum(1 for dummy in written_from(source, 0))
            )
            METER.append(
                {
                    'account': account,
                    'region': region,
                    'snapshot_id': match.group(1),
                    'volume_id': source.volume_id,
                    'full': not incremental,
                    'bytes': blocks * BLOCK_SIZE,
                }
            )


def _encryption(moto_snapshot):
    """(encrypted, KMS key) of moto's snapshot: what makes a copy full when it changes."""
    if moto_snapshot is None:
        return (None, None)
    return (bool(moto_snapshot.encrypted), moto_snapshot.kms_key_id if moto_snapshot.encrypted else None)


def full_snapshot_bytes(snapshot_id, account, region):
    """FullSnapshotSizeInBytes of ``snapshot_id``: "the size of all the blocks that were written to the source volume at
    the time the snapshot was created" (ec2 2016-11-15, Snapshot.FullSnapshotSizeInBytes), its written blocks here; None
    for a snapshot this layer cannot take up. Under _LOCK."""
    if snapshot_id not in FULL_BYTES:
        snapshot = _known(snapshot_id, account=account, region=region) or _known(snapshot_id)
        if snapshot is None:
            return None
        FULL_BYTES[snapshot_id] = sum(1 for dummy in written_from(snapshot, 0)) * BLOCK_SIZE
    return FULL_BYTES[snapshot_id]


def with_full_sizes(body, account, region):
    """A DescribeSnapshots answer with each snapshot's fullSnapshotSizeInBytes, which moto does not answer."""
    text = body.decode('utf-8', 'replace')

    def sized(match):
        size = full_snapshot_bytes(match.group(1), account, region)
        if size is None:
            return match.group(0)
        return '%s<fullSnapshotSizeInBytes>%d</fullSnapshotSizeInBytes>' % (match.group(0), size)

    with _LOCK:
        return re.sub(r'<snapshotId>(snap-[0-9a-f]+)</snapshotId>', sized, text).encode()


def meter(account=None):
    """What the copies stored and moved, per region ({region: {full, incremental, bytes_moved, bytes_stored}}): the
    copies made there, full and incremental, the bytes they moved, and the bytes the copies still there added (a
    deleted copy's leave with it; EBS keeps what a later snapshot of the lineage still needs, which is not followed
    here). Of ``account`` only, or every account's."""
    with _LOCK:
        entries = [dict(entry) for entry in METER if account is None or entry['account'] == account]
    regions = {}
    for entry in entries:
        region = regions.setdefault(entry['region'], {'full': 0, 'incremental': 0, 'bytes_moved': 0, 'bytes_stored': 0})
        region['full' if entry['full'] else 'incremental'] += 1
        region['bytes_moved'] += entry['bytes']
        if _moto_snapshot(entry['snapshot_id'], entry['account'], entry['region']) is not None:
            region['bytes_stored'] += entry['bytes']
    return regions


# The device directory.


def made_volume(body, params, region):
    """A CreateVolume answer: a volume made from a snapshot holds the snapshot's data as it is now (a corruption of the
    snapshot after this is not the volume's)."""
    match = re.search(r'<volumeId>(vol-[0-9a-f]+)</volumeId>', body)
    if not match or not params.get('SnapshotId'):
        return
    with _LOCK:
        source = _known(params['SnapshotId'], region=region)  # any account's: a snapshot shared with the caller
        if source is not None:
            VOLUME_DATA[match.group(1)] = source._replace(corrupt=dict(source.corrupt))


def device_file(volume_id):
    """The path of ``volume_id``'s file in the device directory; None when SNAPCOPY_DEVICE_DIR is not set."""
    folder = os.environ.get(DEVICE_DIR_VARIABLE)
    return os.path.join(folder, volume_id) if folder else None


def attached(volume_id, account, region):
    """After an AttachVolume that moto carried out: the volume's file in the device directory, when there is one."""
    path = device_file(volume_id)
    if path is None:
        return
    from moto.ec2.models import ec2_backends  # pylint: disable=import-outside-toplevel

    volume = ec2_backends[account][region].volumes.get(volume_id)
    if volume is None:
        return
    with _LOCK:
        source = VOLUME_DATA.get(volume_id)
        if source is None and volume.snapshot_id:  # a volume made in moto's backend directly
            source = _known(volume.snapshot_id, region=region)
        # What wrote each block, read under the lock; the bytes made after.
        blocks = [(index, label(source, index)) for index in written_from(source, 0)] if source else []
    os.makedirs(os.path.dirname(path), exist_ok=True)
    part = os.path.join(os.path.dirname(path), '.%s.part' % volume_id)
    with open(part, 'wb') as handle:
        for index, written_by in blocks:
            handle.seek(index * BLOCK_SIZE)
            handle.write(_data(source.volume_id, index, written_by))
        handle.truncate(int(volume.size) * BLOCKS_PER_GIB * BLOCK_SIZE)
    os.replace(part, path)


def detached(volume_id):
    """After a DetachVolume that moto carried out: the volume's file gone from the device directory."""
    path = device_file(volume_id)
    if path is not None and os.path.exists(path):
        os.remove(path)


def _answer(app, environ, start_response):
    """(moto's answer as bytes, whether it is a success) of the request."""
    statuses = []

    def starting(status, headers, exc_info=None):
        statuses.append(status)
        return start_response(status, headers, exc_info)

    body = b''.join(app(environ, starting))
    return body, bool(statuses) and statuses[0].startswith('200')


def _rewritten(app, environ, start_response, rewrite):
    """moto's answer to the request, its body rewritten by ``rewrite`` when a success (its length with it)."""
    answered = {}

    def starting(status, headers, exc_info=None):  # pylint: disable=unused-argument  # WSGI's signature
        answered.update(status=status, headers=headers)
        return lambda data: None

    body = b''.join(app(environ, starting))
    if answered['status'].startswith('200'):
        body = rewrite(body)
    headers = [(name, value) for name, value in answered['headers'] if name.lower() != 'content-length']
    start_response(answered['status'], [*headers, ('Content-Length', str(len(body)))])
    return [body]


def volume_call(app, environ, start_response, request, action, scope):
    """CreateVolume, AttachVolume or DetachVolume, answered by the layers inside, then the device directory's part."""
    from moto.iam.models import get_account_id_from  # pylint: disable=import-outside-toplevel

    body, done = _answer(app, environ, start_response)
    if done:
        params = {name: values[0] for name, values in parse_qs(request.decode('utf-8', 'replace')).items()}
        region = scope.group('region')
        if action == 'CreateVolume':
            made_volume(body.decode('utf-8', 'replace'), params, region)
        elif action == 'AttachVolume':
            attached(params.get('VolumeId', ''), get_account_id_from(scope.group('key')), region)
        else:
            detached(params.get('VolumeId', ''))
    return [body]


# The answers.


def _mac(*parts):
    return hmac.new(SECRET, '/'.join(str(part) for part in parts).encode(), hashlib.sha256).hexdigest()[:40]


def block_token(snapshot_id, index, expiry):
    return base64.b64encode(('%d:%s' % (expiry, _mac('block', snapshot_id, index, expiry))).encode()).decode()


def check_block_token(token, snapshot_id, index, now):
    try:
        expiry, mac = base64.b64decode(token, validate=True).decode().split(':')
        valid = hmac.compare_digest(mac, _mac('block', snapshot_id, index, int(expiry))) and now < int(expiry)
    except (ValueError, UnicodeDecodeError):
        valid = False
    if not valid:
        raise EbsError(
            'ValidationException',
            'INVALID_BLOCK_TOKEN',
            'The block token is not valid for block %d of snapshot %s, or has expired.' % (index, snapshot_id),
        )


def page_token(operation, snapshots, index, now):
    expiry = int(now) + PAGE_TOKEN_SECONDS
    mac = _mac('page', operation, snapshots, index, expiry)
    return base64.b64encode(('%d:%d:%s' % (index, expiry, mac)).encode()).decode()


def page_start(token, operation, snapshots, now):
    try:
        index, expiry, mac = base64.b64decode(token, validate=True).decode().split(':')
        valid = hmac.compare_digest(mac, _mac('page', operation, snapshots, int(index), int(expiry)))
        valid = valid and now < int(expiry)
    except (ValueError, UnicodeDecodeError):
        valid = False
    if not valid:
        raise EbsError('ValidationException', 'INVALID_PAGE_TOKEN', 'The page token is not valid, or has expired.')
    return int(index)


def _integer(query, name, default, low=0):
    if name not in query:
        return default
    try:
        value = int(query[name])
    except ValueError:
        value = low - 1
    if value < low:
        raise EbsError('ValidationException', 'INVALID_PARAMETER_VALUE', 'The value of %s is not valid.' % name)
    return value


def _max_results(query):
    value = _integer(query, 'maxResults', MAX_RESULTS[1], low=-(2**31))
    if value > MAX_RESULTS[1]:
        raise EbsError(
            'ValidationException',
            'INVALID_PARAMETER_VALUE',
            'MaxResults must be at most %d.' % MAX_RESULTS[1],
        )
    return max(value, MAX_RESULTS[0])  # the FAQ: under 100 answers at least 100


def readable(snapshot_id, account, region):
    """Our Snapshot of the caller's completed snapshot ``snapshot_id`` in ``region``. Under _LOCK."""
    if not (SNAPSHOT_ID.fullmatch(snapshot_id) and len(snapshot_id) <= 64):
        raise EbsError('ValidationException', 'INVALID_SNAPSHOT_ID', 'The snapshot ID %s is not valid.' % snapshot_id)
    moto_snapshot = _moto_snapshot(snapshot_id, account, region)
    if moto_snapshot is None:
        raise EbsError(
            'ResourceNotFoundException', 'SNAPSHOT_NOT_FOUND', 'The snapshot %s does not exist.' % snapshot_id
        )
    if moto_snapshot.status != 'completed':
        raise EbsError(
            'ValidationException',
            'INVALID_SNAPSHOT_ID',
            "The snapshot %s is in state '%s': only a completed snapshot can be read."
            % (snapshot_id, moto_snapshot.status),
        )
    return _known(snapshot_id, moto_snapshot)


def list_snapshot_blocks(snapshot_id, query, account, region, now):
    snapshot = readable(snapshot_id, account, region)
    size = _max_results(query)
    if query.get('pageToken'):
        start = page_start(query['pageToken'], 'ListSnapshotBlocks', snapshot_id, now)
    else:
        start = _integer(query, 'startingBlockIndex', 0)
    expiry = int(now) + BLOCK_TOKEN_SECONDS
    blocks, more = [], None
    for index in written_from(snapshot, start):
        if len(blocks) == size:
            more = index
            break
        blocks.append({'BlockIndex': index, 'BlockToken': block_token(snapshot_id, index, expiry)})
    answer = {'Blocks': blocks, 'ExpiryTime': expiry, 'VolumeSize': snapshot.size_gib, 'BlockSize': BLOCK_SIZE}
    if more is not None:
        answer['NextToken'] = page_token('ListSnapshotBlocks', snapshot_id, more, now)
    return 200, {'Content-Type': 'application/json'}, json.dumps(answer).encode()


def list_changed_blocks(second_id, query, account, region, now):
    second = readable(second_id, account, region)
    first_id = query.get('firstSnapshotId')
    first = readable(first_id, account, region) if first_id else None
    if first is not None and (first.volume_id != second.volume_id or first.lineage != second.lineage):
        raise EbsError(
            'ValidationException',
            'UNRELATED_SNAPSHOTS',
            'The snapshots %s and %s are not of the same volume/snapshot lineage.' % (first_id, second_id),
        )
    size = _max_results(query)
    pair = '%s,%s' % (first_id or '', second_id)
    if query.get('pageToken'):
        start = page_start(query['pageToken'], 'ListChangedBlocks', pair, now)
    else:
        start = _integer(query, 'startingBlockIndex', 0)
    expiry = int(now) + BLOCK_TOKEN_SECONDS
    changed, more = [], None
    for index, was, now_is in changed_from(first, second, start):
        if len(changed) == size:
            more = index
            break
        item = {'BlockIndex': index}
        if was is not None:
            item['FirstBlockToken'] = block_token(first_id, index, expiry)
        if now_is is not None:
            item['SecondBlockToken'] = block_token(second_id, index, expiry)
        changed.append(item)
    answer = {'ChangedBlocks': changed, 'ExpiryTime': expiry, 'VolumeSize': second.size_gib, 'BlockSize': BLOCK_SIZE}
    if more is not None:
        answer['NextToken'] = page_token('ListChangedBlocks', pair, more, now)
    return 200, {'Content-Type': 'application/json'}, json.dumps(answer).encode()


def get_snapshot_block(snapshot_id, index_text, query, account, region, now):
    snapshot = readable(snapshot_id, account, region)
    try:
        index = int(index_text)
    except ValueError:
        index = -1
    if index < 0:
        raise EbsError('ValidationException', 'INVALID_BLOCK', 'The block index %s is not valid.' % index_text)
    check_block_token(query.get('blockToken', ''), snapshot_id, index, now)
    if label(snapshot, index) is None:  # a token is only ever given for a written block
        raise EbsError(
            'ValidationException', 'INVALID_BLOCK', 'Block %d of snapshot %s holds no data.' % (index, snapshot_id)
        )
    data = block_bytes(snapshot, index)
    headers = {
        'Content-Type': 'application/octet-stream',
        'x-amz-Data-Length': str(len(data)),
        'x-amz-Checksum': base64.b64encode(hashlib.sha256(data).digest()).decode(),
        'x-amz-Checksum-Algorithm': 'SHA256',
    }
    return 200, headers, data


def answer_ebs(environ, scope):
    """(status, headers, body) of an EBS direct read call, or None for another (moto answers it)."""
    if environ.get('REQUEST_METHOD') != 'GET':
        return None
    path = environ.get('PATH_INFO', '')
    routed = [(operation, route.fullmatch(path)) for operation, route in ROUTES]
    operation, match = next(((operation, match) for operation, match in routed if match), (None, None))
    if match is None:
        return None
    from moto.iam.models import get_account_id_from  # pylint: disable=import-outside-toplevel

    account, region = get_account_id_from(scope.group('key')), scope.group('region')
    query = {name: values[0] for name, values in parse_qs(environ.get('QUERY_STRING', '')).items()}
    now = ebs_vault.cloud_time()
    with _LOCK:
        EBS_CALLS[operation] += 1
        planned = _planned_fault(operation)
        if planned is not None:
            raise planned
        if (account, operation) in DENIED:
            raise EbsError(
                'AccessDeniedException', 'UNAUTHORIZED_ACCOUNT', 'You are not authorized to perform: ebs:%s' % operation
            )
        if operation == 'ListSnapshotBlocks':
            return list_snapshot_blocks(match.group('snapshot'), query, account, region, now)
        if operation == 'ListChangedBlocks':
            return list_changed_blocks(match.group('snapshot'), query, account, region, now)
        return get_snapshot_block(match.group('snapshot'), match.group('index'), query, account, region, now)


def _settle():
    """Snapshots whose time (ebs_vault's TIMINGS) has come complete before an EBS call reads them, as an EC2 call
    would see them."""
    if getattr(ebs_vault, 'PENDING', None):
        with ebs_vault._GUARD:  # pylint: disable=protected-access
            ebs_vault.settle(ebs_vault.cloud_time())


def admin(environ):
    """The test hooks over HTTP (the module's docstring)."""
    order = json.loads(environ['wsgi.input'].read(int(environ.get('CONTENT_LENGTH') or 0)) or b'{}')
    if 'write' in order:
        write = order['write']
        if 'indexes' in write:
            write_blocks(write['volume_id'], write['indexes'])
        else:
            write_range(write['volume_id'], write.get('start', 0), write.get('stop'))
    if 'corrupt' in order:
        corrupt_block(order['corrupt']['snapshot_id'], order['corrupt']['index'])
    if 'zero' in order:
        zero_block(order['zero']['snapshot_id'], order['zero']['index'])
    if 'fault' in order:
        if order['fault']:
            fault(**order['fault'])
        else:
            with _LOCK:
                FAULTS.clear()
    if 'device_dir' in order:  # a suite's moto server runs as a process of its own: its device directory set here
        if order['device_dir']:
            os.environ[DEVICE_DIR_VARIABLE] = order['device_dir']
        else:
            os.environ.pop(DEVICE_DIR_VARIABLE, None)
    if 'meter' in order:
        return json.dumps({'meter': meter((order['meter'] or {}).get('account'))}).encode()
    return b'{}'


def with_ebs_direct(app):
    """``app`` (moto's WSGI application, with ebs_vault's layer) with the EBS direct read calls answered here, and the
    block data of each snapshot it makes or copies recorded (the module's docstring)."""

    def serve(environ, start_response):
        scope = CREDENTIAL.search(environ.get('HTTP_AUTHORIZATION', ''))
        if scope is None:
            if environ.get('PATH_INFO') == ADMIN_PATH and environ.get('REQUEST_METHOD') == 'POST':
                body = admin(environ)
                start_response('200 OK', [('Content-Type', 'application/json'), ('Content-Length', str(len(body)))])
                return [body]
            return app(environ, start_response)
        if scope.group('service') == 'ebs':
            request_id = str(uuid.uuid4())
            try:
                _settle()
                answered = answer_ebs(environ, scope)
            except EbsError as error:
                shown = (
                    {'message': error.message, 'Reason': error.reason} if error.reason else {'message': error.message}
                )
                body = json.dumps(shown).encode()
                answered = (
                    EbsError.STATUS[error.code],
                    {'Content-Type': 'application/json', 'x-amzn-ErrorType': error.code},
                    body,
                )
            if answered is None:
                return app(environ, start_response)
            status, headers, body = answered
            headers = dict(headers, **{'x-amzn-RequestId': request_id, 'Content-Length': str(len(body))})
            start_response('%d %s' % (status, 'OK' if status == 200 else 'Error'), list(headers.items()))
            return [body]
        if scope.group('service') != 'ec2' or environ.get('REQUEST_METHOD') != 'POST':
            return app(environ, start_response)
        request = environ['wsgi.input'].read(int(environ.get('CONTENT_LENGTH') or 0))
        environ['wsgi.input'] = io.BytesIO(request)
        action = ACTION.search(request)
        if action and action.group(1) in (b'CreateVolume', b'AttachVolume', b'DetachVolume'):
            return volume_call(app, environ, start_response, request, action.group(1).decode(), scope)
        if action and action.group(1) == b'DescribeSnapshots':
            from moto.iam.models import get_account_id_from  # pylint: disable=import-outside-toplevel

            return _rewritten(
                app,
                environ,
                start_response,
                lambda body: with_full_sizes(body, get_account_id_from(scope.group('key')), scope.group('region')),
            )
        if b'Action=CreateSnapshot' not in request and b'Action=CopySnapshot' not in request:
            return app(environ, start_response)
        answer = b''.join(app(environ, start_response))
        text = answer.decode('utf-8', 'replace')
        from moto.iam.models import get_account_id_from  # pylint: disable=import-outside-toplevel

        account = get_account_id_from(scope.group('key'))
        if b'Action=CopySnapshot' in request:
            params = {name: values[0] for name, values in parse_qs(request.decode('utf-8', 'replace')).items()}
            copied_snapshot(text, params, account, scope.group('region'))
        else:
            took_snapshots(text, account, scope.group('region'))
        return [answer]

    return serve

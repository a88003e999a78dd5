#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: dr_sync
short_description: Keep DR regions supplied with copies of the newest snapshot of every tagged disk
version_added: 0.1.0
description:
  - The bulk module behind the role C(snapcopy.cloud.dr_copy), for any of the four clouds in one call
    (AWS EBS, Alibaba Cloud ECS and ENS, Tencent Cloud CBS).
  - Finds the disks in O(source_region) that carry every tag of O(tag_selector), picks each disk's newest completed snapshot,
    and makes sure a copy of it exists in each of O(dr_regions), the way the single-copy modules do
    (M(snapcopy.cloud.ebs_snapshot_copy), M(snapcopy.cloud.ecs_snapshot_copy), M(snapcopy.cloud.ens_snapshot_copy),
    M(snapcopy.cloud.cbs_snapshot_copy)). A copy already there, done or in flight, is reported and not made again.
  - With O(max_snapshot_age_hours), a disk whose newest completed snapshot is older than that gets a fresh snapshot first,
    so that the DR copy is never staler than the recovery point objective. With O(wait), the fresh snapshot is waited for and copied;
    without it, the newest completed one is copied now and the fresh one on the next run.
  - With O(prune), DR copies of each disk beyond O(keep_copies) or older than O(max_copy_age_days) are deleted.
    Only copies that this collection made (those with the C(snapcopy:source) tag, or the cloud's link to the source where it keeps no tags)
    and only those of the disks this run looks after; never a disk's newest copy, never a copy in flight, never in check mode.
  - Built for scale. Reads are batched and paged, copies are started with at most O(max_in_flight) in flight per DR region
    (20 on AWS, its limit), and while waiting every copy in flight is read in one batched call per region and round.
  - With O(restore_test), a restore drill proves that the DR copies restore. In each DR region, after the copies, it makes a disk
    from the newest completed DR copy of O(restore_test_count) disks, waits until the disk is usable, records the seconds that took,
    and deletes the disk, whether the test passed, failed or timed out. Disks are tested in turn, the least recently tested first
    (a passed test marks the copy it restored with the tag C(snapcopy:restore-tested)), so every disk is tested within
    (disks / O(restore_test_count)) runs.
  - Test disks carry the name prefix C(snapcopy-restore-test-) and the tags C(snapcopy:restore-test) (the drill's id) and
    C(snapcopy:restore-scope). Before testing, a run deletes the test disks that earlier drills left behind (a killed run leaves them),
    those of its own scope (source region and tag selector) and any older than 24 hours. A disk without both marks is never deleted.
  - Returns a report (for each disk the source snapshot, DR copy per region, state, action, age; pruned copies; restore tests; failures)
    as data and as Markdown.
author:
  - snapcopy.cloud developers (@snapcopy)
requirements:
  - The SDK of the chosen provider, as for its single-copy module.
options:
  source_region:
    description:
      - The region (ENS, the node) of the disks and their snapshots.
    type: str
    required: true
  dr_regions:
    description:
      - The DR regions (ENS, nodes), each a name or a dict with C(region) and, where the provider takes them,
        C(encrypted), C(kms_key_id) and C(completion_duration_minutes) for the copies in that region (a region's
        C(completion_duration_minutes) of V(0) copies there at EBS's own pace, whatever the run's).
      - Never the source region, on AWS either (a copy there shares every failure of its source).
    type: list
    elements: raw
    required: true
  tag_selector:
    description:
      - The tags a disk must carry, all of them, to be looked after. A null value matches any value of that key.
      - Tags hold text. A value that YAML typed as a boolean or a decimal number (an unquoted V(yes), V(true), V(on), V(1.10))
        is refused, naming the key and how to quote it; a whole number is text as written (V(1) is C("1")).
      - A selector that matches no disk fails the run, naming it, unless O(allow_no_disks) is set.
    type: dict
    required: true
  allow_no_disks:
    description:
      - A selector that matches no disk is a success (nothing to protect) instead of a failure. For a scope that is
        meant to be empty at times; by default a run that protects nothing is not green, so that a typo in a tag is seen.
    type: bool
    default: false
    version_added: 0.2.0
  coverage:
    description:
      - What the run says of the disks of O(source_region) that O(tag_selector) does not take. A disk nobody covers has
        no DR copy, and no run would say so otherwise.
      - V(report) lists every disk of the region once (in place of the listing filtered by the tags, and in as many calls when
        most disks are tagged), counts the disks not covered in the result's RV(totals) (C(not_covered)), RV(protection),
        the report and the pages, and warns of each near miss (a disk whose tags equal the selector's but for case or
        spaces, such as C(Backup=DR) for C(backup=dr)).
      - V(fail) does the same, and fails the run when a disk is not covered, naming it (tag it, or leave it out with
        O(coverage_exempt)).
      - V(off) reads only the disks the selector takes, and the report says nothing of the others.
      - A run limited by O(disk_ids) reads no coverage; the scope's report keeps what the last whole run read.
      - The disks this collection makes (the restore drill's, Tencent's bridge disks) are never counted.
    type: str
    choices: [report, fail, 'off']
    default: report
    version_added: 0.2.0
  coverage_exempt:
    description:
      - Disks that carry every tag of this selector (same form as O(tag_selector)) are left out of the coverage by
        choice (scratch disks, caches); they are counted as exempt, not as not covered, and never fail the run.
    type: dict
    version_added: 0.2.0
  disk_ids:
    description:
      - Limits the run to these disks, of those that O(tag_selector) matches. Only they are copied, and pruning and the
        restore drill touch only their copies (and the drill's leftover disks made from those copies). What an event-driven
        run sends for the disks whose snapshots have just completed (the rulebook C(extensions/eda/rulebooks/dr_on_snapshot.yml)).
      - A disk named here that the selector does not match is not looked after, with a warning; when none is matched, the
        run fails as for a selector that matches no disk, unless O(allow_no_disks) is set.
      - As text (an AWX survey, C(-e)), ids separated by commas or spaces. Empty (V([]), or an empty string as an AWX survey
        sends for a question left blank) means every disk the selector matches.
    type: list
    elements: str
    version_added: 0.2.0
  consistency_groups:
    description:
      - Disks that are restored together (the data and log disks of a database) are copied, counted and shown as one
        consistency group, from one set of snapshots that the cloud made of them at one moment (C(docs/consistency.md)).
      - V(instance) groups the disks attached to one instance; V(tag:<key>), such as V(tag:app), the disks whose tag
        C(<key>) has one value. A disk of no group (not attached, without the key, alone in its group) is copied on its own.
      - A group's recovery point is its newest set with every member's snapshot completed (an EBS C(CreateSnapshots) call,
        an ECS or CBS snapshot group); a newer set with a member still pending is in flight, one with a member failed or
        missing is torn, and neither is copied. A group without a complete set gets no copy, and fails the run.
      - With O(max_snapshot_age_hours), a group whose set is older gets a fresh set through the cloud's group API, never
        snapshots of its disks one by one; its disks are copied from it once every member has completed.
      - A group is protected in a DR region only when every member's copy there is completed and of one set; each copy
        carries its group and set in the tags C(snapcopy:group) and C(snapcopy:set).
      - EBS and ECS make a set of one instance's disks only; ENS has no group API and refuses this option.
      - On EBS a set counts only with evidence that one request made it, since EC2 names no set and dates snapshots to
        the second - the set tag C(snapcopy:set) the run's own fresh sets carry from their first moment, a Data
        Lifecycle Manager policy whose resource type is C(INSTANCE) (read with C(dlm:GetLifecyclePolicy)), or
        O(consistency_set_tag). Snapshots that share only a start time and a description are no set, and the run says so.
      - A CBS snapshot group is copied as a set but not called crash-consistent - the CBS API model describes its one
        type C(NORMAL) as not a consistent snapshot (C(crash_consistent) in the report).
      - V(none), or an empty string as an AWX survey sends it, for no groups.
    type: str
    version_added: 0.2.0
  consistency_set_tag:
    description:
      - AWS - the tag key that marks the sets of snapshots your own tooling made, such as one C(CreateSnapshots) call
        with C(TagSpecifications). The snapshots of one set share its value, and no other snapshot has that value. Such
        a set counts as one for O(consistency_groups) (C(docs/consistency.md)).
      - Refused without O(consistency_groups), and on the other providers, whose snapshot groups name their sets.
      - Empty, as an AWX survey sends it, for none.
    type: str
    version_added: 0.2.0
  verify:
    description:
      - Prove that each DR copy holds its source's data (AWS; C(docs/verify.md)). Each completed copy of the run not verified
        before is read beside its source through the EBS direct APIs - both listed with C(ListSnapshotBlocks), and this many
        blocks of both read with C(GetSnapshotBlock), their SHA-256 compared - or every block with V(full).
      - A copy whose sampled data differ, or that lists a block its source does not (or the other way round) holding other
        data than zeros, is no DR copy (the disk's region is without one) and fails the run, naming the blocks. A verified
        copy gets the tag C(snapcopy:verified) (when, and the sample), and a later run reads it no more.
      - Each copy's C(verification) in RV(disks) says what was read and what it cost (C(list_calls), C(get_calls),
        C(bytes_read), C(usd) at EBS's prices, and C(transfer_usd), the data transfer of the blocks read by where the run
        reads from); in check mode, what it would (the sources' block lists are read, no block).
      - Needs O(wait). Alibaba Cloud and Tencent Cloud have no API that reads a snapshot's blocks - there each completed copy is
        held to what the cloud states of it (its size, encrypted where its source is, the source the cloud links it to) with no
        call of its own, V(stated) in its C(verification), never verified; a copy that differs is no DR copy. Prove their data
        with the restore drill and your own checks (O(restore_test_host)).
      - A number from 1 to 10000, V(full), or V(off) (or 0, or an empty string as an AWX survey sends it).
    type: str
    version_added: 0.2.0
  churn_alarm:
    description:
      - Mark a new DR copy suspect when its source rewrote far more of the disk than usual, as ransomware rewrites everything
        (AWS; C(docs/verify.md)). C(ListChangedBlocks) of the EBS direct APIs compares the new copy's source with the source
        of the disk's copy before it (or, that source gone, the two copies).
      - A copy is suspect when the share rewritten is at least this percent of the disk and at least twice the disk's usual
        share (the median of its last ten copies' shares; unknown at first, when the percent alone decides). Each copy
        measured carries its share in the tag C(snapcopy:churn); a suspect one carries C(snapcopy:suspect) and a warning.
      - While a disk's newest copy is suspect, its newest copy without the mark (the last known good one) is never pruned,
        however many copies come after it. Take the tag C(snapcopy:suspect) off a copy found sound to let pruning go on.
      - Each copy's C(churn) in RV(disks) says what was measured; in check mode, what would be.
      - Alibaba Cloud and Tencent Cloud have no API that compares snapshots' blocks, and refuse it before any call.
      - A percent from 1 to 100, or V(off) (or 0, or an empty string as an AWX survey sends it).
    type: str
    version_added: 0.2.0
  prices:
    description:
      - Your prices (USD) for the plan's cost (RV(plan), C(docs/cost.md)), in place of the collection's table - C(storage) per
        GiB-month kept in a DR region, C(transfer) per GiB a copy moves between regions - for every DR region, and under
        C(regions) for one (a mapping of DR regions to C(storage) and C(transfer)).
      - The collection's table holds what the clouds' own pages state, each price dated; a price it does not hold (Alibaba
        Cloud's replication traffic, Tencent Cloud's storage and its cross-region copies) is a line of the plan with no price
        until this sets it.
    type: dict
    version_added: 0.2.0
  name_template:
    description:
      - The name of each copy (ECS, ENS, CBS), a Python format string with C({disk_id}), C({disk_name}), C({source_id}),
        C({source_region}) and C({date}). Each cloud's default when not set (on CBS, a name derived from the source).
    type: str
  description_template:
    description:
      - The description of each copy (AWS, ECS, ENS), with the same placeholders as O(name_template).
    type: str
  snapshot_name_template:
    description:
      - The name of a fresh snapshot (see O(max_snapshot_age_hours)), with C({disk_id}), C({disk_name}) and C({date}).
    type: str
  tags:
    description:
      - Tags to put on each copy (AWS, ECS, CBS), besides C(snapcopy:source) and C(snapcopy:disk) that the module sets.
    type: dict
  copy_tags:
    description:
      - Keys of the source disk's tags that its DR copies carry too, with the disk's values (cost-allocation tags, say,
        so that the DR bill lands where the disk's bill does). AWS, ECS and CBS; ENS keeps no tags on snapshots, so there
        the copies are made without them, each copy's C(copy_tags) says why, and the run warns.
      - A new copy gets them in its copy call (AWS and ECS CopySnapshot; CBS tags a copy right after its copy call, with
        the collection's own tags). A DR copy found of the disk, older ones included, gets those it lacks or carries with
        another value than the disk's now; the copies of a DR region that need the same tags are tagged together, as
        many a call as the cloud's tagging call takes (AWS 200 here, ECS 50, CBS 9), and a copy that carries them as the
        disk does costs no call. A key the disk does not carry is not set, and each copy's C(copy_tags) in RV(disks) says so.
      - Each copy records the keys the runs set on it (the tag C(snapcopy:copy-tags), written in the call that sets them),
        and a run takes off a recorded key the copy should no longer carry - the disk no longer carries it (a tag renamed,
        C(team) to C(owner)), or O(copy_tags) no longer names it - as many copies a call as the cloud's untagging call
        takes (AWS C(DeleteTags) 200 here, ECS C(UntagResources) 50, CBS C(UnTagResources) 9). A key a person put on a
        copy, a key of O(tags) and the collection's own keys are never taken off. The record holds as many keys as a tag
        value holds characters (AWS 256, ECS 128, CBS 255); a key past that is set but never taken off, and the run warns.
      - The copy tags give way first to the cloud's tag limit on a snapshot (AWS 50, ECS 20, CBS 50), after the
        collection's own tags, O(tags), and room for the marks later runs write (and, with O(dr_account) on CBS, its
        staging's); a key left out is reported with the
        reason, and the copy is made all the same. A value the cloud refuses on a snapshot is left out likewise.
      - Refused before any call - a key of the collection's own (C(snapcopy:) at the start), a key also in O(tags), a key
        named twice, a key the cloud reserves (AWS C(aws:), Alibaba Cloud C(acs:) and C(aliyun), Tencent Cloud C(qcloud),
        C(tencent) and C(project)).
      - As text (an AWX survey, C(-e)), keys separated by commas.
    type: list
    elements: str
    default: []
    version_added: 0.2.0
  encrypted:
    description:
      - Encrypt the copies (AWS, ECS). A DR region's own C(encrypted) wins.
    type: bool
  kms_key_id:
    description:
      - The KMS key of encrypted copies (AWS, ECS). A DR region's own C(kms_key_id) wins.
    type: str
  retention_days:
    description:
      - ECS only. The copies are released by Alibaba Cloud after this many days (1 to 65536). V(0), or leaving it out,
        keeps them until they are deleted (or pruned).
    type: int
  instance_billing_cycle:
    description:
      - ENS only. The billing cycle of the copies.
    type: str
    choices: [Hour, Day, Month]
  completion_duration_minutes:
    description:
      - AWS only. Each copy is a time-based copy, to complete within this many minutes (EBS CopySnapshot's
        C(CompletionDurationMinutes), "in 15 minute increments"), a multiple of 15 from 15 to 2880. A DR region's own
        C(completion_duration_minutes) wins. Refused before any call on the other providers, and with a value out of
        range.
      - AWS bills a time-based copy per GiB, more the shorter the duration; the result's C(plan) then has that cost and
        the copies' time from EBS's limits (20 copies at once to a region, the time-based copies' throughput quotas).
      - V(0), or leaving it out, copies at EBS's own pace. A DR copy found already made is kept whatever its duration
        was (a duration says how soon a copy is made, not what it holds), never made again for this option.
    type: int
    version_added: 0.2.0
  max_snapshot_age_hours:
    description:
      - The recovery point objective. A disk whose newest completed snapshot is older than this gets a fresh snapshot first.
      - A snapshot already being made is used instead of making another.
    type: float
  prune:
    description:
      - Delete old DR copies, by O(keep_copies) and/or O(max_copy_age_days). Off unless asked for.
      - Only copies that a DR run made are ever deleted (they carry the C(snapcopy:disk) tag, which the copy modules
        never write, and the source that the cloud itself records, where it records one, is the one that tag names). A copy
        made with a copy module, or a person's copy of a DR copy with its tags, is never deleted. See C(docs/safety.md).
      - Only completed copies are counted and deleted. The newest completed copy of a disk in a DR region is always
        kept, so that a copy still in flight, failed, refused or missing never costs the disk its last restorable copy.
        A failed copy is left for a person to read and delete (C(docs/failed-copies.md)).
    type: bool
    default: false
  keep_copies:
    description:
      - With O(prune), how many completed DR copies of each disk to keep in each DR region (newest first).
    type: int
  max_copy_age_days:
    description:
      - With O(prune), delete completed DR copies older than this many days (but never a disk's newest completed one).
      - With O(keep_copies) as well, a copy goes when either says so (it is beyond the newest O(keep_copies), or older).
    type: float
  max_in_flight:
    description:
      - At most this many copies in flight per DR region; new copies wait for a free slot.
      - Defaults to the cloud's limit where it has one (20 on AWS) and no limit otherwise.
    type: int
  dr_account:
    description:
      - Make and keep the DR copies in a separate DR account, reached by assuming O(dr_account.role_arn) with the run's own
        credentials, so that whoever takes over the disks' account cannot reach their DR copies. AWS, Alibaba Cloud ECS and
        Tencent Cloud CBS; see C(docs/vault.md).
      - Before any other call the run asks STS whose its credentials and the role's are (C(GetCallerIdentity), once each),
        and fails, naming both accounts, when the role's account is the disks' own or not the one its ARN names.
      - AWS - the source account shares each source snapshot with the DR account (C(ModifySnapshotAttribute), createVolumePermission,
        marked with the tag C(snapcopy:shared-with)), the DR account copies it into its DR regions (re-encrypted with
        O(kms_key_id) or a DR region's C(kms_key_id), which are the DR account's keys), and every share a run made is removed by
        the first run that finds no copy of that snapshot in flight, this one or a later one; a share a person made (without
        the tag) is left alone. Pruning, locks and the restore drill act in the DR account.
      - An encrypted source must be encrypted with a customer managed key whose policy lets the DR account use it; one under
        the AWS managed key (aws/ebs) cannot be shared, and is a failure of its disk that names the key.
      - Tencent Cloud CBS shares a snapshot only to be made into a disk in its own region, so the source account's copy in
        the DR region (the staged copy, made as without O(dr_account)) is marked with the tag C(snapcopy:shared-with) and
        shared with the DR account (C(ModifySnapshotsSharePermission)), the DR account makes a pay-as-you-go C(CLOUD_PREMIUM)
        disk of it (the bridge disk, C(CreateDisks) with a C(ClientToken)) and its own snapshot of that disk, which is the DR
        copy. Once that is complete, the bridge disk is terminated, the share cancelled and the staged copy deleted, by this
        run with O(wait), else by the next. Without O(wait), each run takes a copy one step further. The source must be a data
        disk's snapshot (CBS shares no other).
      - Alibaba Cloud ECS - as on AWS, through Resource Sharing. The source account keeps one resource share a region,
        C(snapcopy-dr-<DR account id>), whose target is the DR account (the DR role accepts its invitation), associates each
        source snapshot with it (C(AssociateResourceShare), marked with the tag C(snapcopy:shared-with)), the DR account copies
        it (C(CopySnapshot)), and the snapshot is disassociated once no copy of it is in flight. A source encrypted with the
        ECS service key (alias/acs/ecs) cannot be shared and is a failure of its disk; an encrypted source needs O(kms_key_id),
        a key of the DR account's.
      - Alibaba Cloud ENS has no API that shares a snapshot with another account; it refuses this option before any call.
      - Leave it unset, or give an empty dict, for copies in the disks' account.
      - With provider C(aws), C(ecs) or C(cbs), each suboption left out is read from that cloud's environment variable
        (C(SNAPCOPY_AWS_DR_*), C(SNAPCOPY_ALICLOUD_DR_*), C(SNAPCOPY_TENCENT_DR_*)), which the AWX credential types
        C(docs/awx/credential_type_dr_account_aws.yml), C(credential_type_dr_account_alicloud.yml) and
        C(credential_type_dr_account_tencentcloud.yml) inject; a cloud reads only its own, so that a fleet job with one cloud's
        DR account credential keeps the other clouds' copies in their own accounts.
    type: dict
    suboptions:
      role_arn:
        description:
          - The role in the DR account that makes and owns the copies.
          - Read from E(SNAPCOPY_AWS_DR_ROLE_ARN) (provider C(aws)), E(SNAPCOPY_ALICLOUD_DR_ROLE_ARN) (C(ecs)) or
            E(SNAPCOPY_TENCENT_DR_ROLE_ARN) (C(cbs)) when left out.
        type: str
      role_session_name:
        description:
          - The session name of the assumed role (by default one that names the collection and the time).
          - Read from E(SNAPCOPY_AWS_DR_ROLE_SESSION_NAME) (provider C(aws)), E(SNAPCOPY_ALICLOUD_DR_ROLE_SESSION_NAME)
            (C(ecs)) or E(SNAPCOPY_TENCENT_DR_ROLE_SESSION_NAME) (C(cbs)) when left out.
        type: str
      external_id:
        description:
          - The external id the role's trust policy asks for.
          - Read from E(SNAPCOPY_AWS_DR_EXTERNAL_ID) (provider C(aws)), E(SNAPCOPY_ALICLOUD_DR_EXTERNAL_ID) (C(ecs)) or
            E(SNAPCOPY_TENCENT_DR_EXTERNAL_ID) (C(cbs)) when left out.
        type: str
    version_added: 0.2.0
  lock:
    description:
      - Lock each DR copy against deletion as soon as the cloud has named it, in flight or complete, so that whoever takes over
        the account cannot delete the DR copies for O(lock.duration_days), counted from each copy's completion. On AWS EBS
        (C(LockSnapshot)) and Alibaba Cloud ECS (C(LockSnapshot)), each lock read back with C(DescribeLockedSnapshots); Tencent
        Cloud CBS and Alibaba Cloud ENS have no snapshot lock, and refuse this option before any call. See C(docs/vault.md).
      - A copy is locked once, and again only after its lock has expired; a lock in force (this collection's or a person's) is
        never changed. Both clouds take a lock on a copy still in flight, so the run locks each copy it made or adopted in the
        same run, with O(wait) or without (with O(wait), after its wait). An older DR copy of a disk that no run ever locked
        (one a killed run made) is locked too; one whose lock has expired is left to pruning. In check mode the locks are
        planned, and none is set.
      - Pruning reads the locks of the copies it chose first, and never sends a delete for a copy whose lock is in force; such
        a copy is listed in C(kept) with C(reason=locked) and its lock, and goes once its lock has expired.
      - With O(retention_days) (ECS), a lock must expire on or before the copy's retention ends, so O(lock.duration_days) must
        be shorter than O(retention_days); a copy whose retention ends before the lock would expire (one locked days after it
        was made) is not locked, C(lock_failed) with the code C(LockOutlastsRetention). A lock is never shortened.
      - A lock is reported C(locked) only once C(DescribeLockedSnapshots) shows it in force (AWS and ECS), else C(lock_failed)
        with the code C(NotLockedWhenReadBack). A lock read in force whose expiry passes before the run ends (the run went on
        to wait, prune or drill) is reported V(expired), not locked, with a warning; the next run locks the copy again.
      - Leave it unset, or give an empty dict, for no lock.
    type: dict
    suboptions:
      mode:
        description:
          - V(governance) (AWS only) can be lifted by a person whom the account's policies allow C(ec2:UnlockSnapshot).
          - V(compliance) cannot be lifted by anyone, the account's root included, once its cool-off period has passed. Test
            with V(governance) or a short O(lock.duration_days) first.
        type: str
        choices: [governance, compliance]
      duration_days:
        description:
          - How long each copy stays locked, 1 to 36500 days. ECS counts it from when the copy completes, AWS from when the
            lock is set; this collection locks only completed copies, so both count from about then.
          - A number (V('14') as text too); a YAML boolean (an unquoted V(yes) or V(true)) is refused.
        type: int
      cool_off_hours:
        description:
          - For a V(compliance) lock, the hours (0 to 72) in which it can still be changed or lifted by a person with the
            permission; 0 for none. A V(governance) lock has no cool-off period.
        type: int
    version_added: 0.2.0
  restore_test:
    description:
      - Run the restore drill after the copies (see the description). A failed or timed-out test, and a test disk that could not
        be deleted, are failures of the run. In check mode the drill is planned (which disks, which zone, which leftovers would
        be deleted) and nothing is made or deleted.
      - A test disk is the smallest the cloud makes from the copy, billed for the few minutes it exists. AWS CreateVolume of
        O(restore_test_disk_type) with the snapshot's size, ECS CreateDisk (pay-as-you-go), ENS CreateDisk on the node (PostPaid),
        CBS CreateDisks (POSTPAID_BY_HOUR). On Tencent Cloud only copies of data disks can be made into a disk (CreateDisks);
        a system disk's copy is restored through an image.
      - Without O(wait), the drill tests the newest copies completed before this run; a DR region without one is a failure.
    type: bool
    default: false
  restore_test_count:
    description:
      - How many disks the drill tests per DR region and run (1 to 50).
    type: int
    default: 1
  restore_test_zones:
    description:
      - "The zone of each DR region to make test disks in, as C({region: zone}). A DR region not named here gets the first zone
        (by name) where the cloud makes disks of O(restore_test_disk_type) now. Not for ENS, whose test disks are made on the node."
    type: dict
  restore_test_disk_type:
    description:
      - The disk type of test disks. By default the cheapest that each cloud makes from a snapshot at the snapshot's size,
        V(gp3) (AWS), V(cloud_essd) at performance level PL0 (ECS), V(cloud_efficiency) (ENS), V(CLOUD_PREMIUM) (CBS).
    type: str
  restore_test_timeout:
    description:
      - Seconds a test disk may take to become usable (10 to 21600). Past it the test has timed out; the disk is still deleted
        (a disk the cloud is still making is waited for up to 5 more minutes, and otherwise left to the next run).
    type: int
    default: 1800
  restore_test_host:
    description:
      - Your own checks of the restored data. The test disks of O(restore_test_host.region) are made in the zone of the instance
        O(restore_test_host.instance_id), attached to it once usable, and left there - RV(restore)'s C(held) names each with its
        C(device) - for your tasks on that host (mount, fsck, a database's check, a known file's checksum). End the drill with
        M(snapcopy.cloud.dr_drill_finish), which detaches and deletes them and records the checks; the C(snapcopy.cloud.dr_copy)
        role does both (C(dr_copy_restore_test_validate)). Each disk carries the tag C(snapcopy:restore-host), and is only ever
        detached from that instance.
      - A run killed before the drill ends leaves its disks attached until their time (C(snapcopy:restore-until), which counts
        O(restore_test_host.validate_timeout) too); the first run after it detaches and deletes them.
      - The instance must run. AWS (C(AttachVolume)), ECS and ENS (C(AttachDisk)) and CBS (C(AttachDisks)).
    type: dict
    version_added: 0.2.0
    suboptions:
      instance_id:
        description:
          - The instance in the DR region the disks are attached to.
        type: str
        required: true
      region:
        description:
          - Its DR region; needed with more than one DR region.
        type: str
      validate_timeout:
        description:
          - Seconds your checks may take (10 to 21600).
        type: int
        default: 1800
  fail_on_missing:
    description:
      - Fail the task when any disk ended without a DR copy in some DR region, or anything else failed.
      - The role sets it to V(false), writes its report, and fails afterwards.
    type: bool
    default: true
  report_dir:
    description:
      - Write the report to this folder on the controller (where C(ansible-playbook) runs, whatever host the task is for),
        which is made if missing, as C(dr-report-<report_name>.json) (the run's own return values, less RV(report_markdown))
        and C(dr-report-<report_name>.md) (RV(report_markdown)). New folders and files get the modes the umask gives (C(0755)
        and C(0644) with the usual C(022)); a folder that exists keeps its mode.
      - Beside them, C(dr-report-<report_name>.html), the DR posture page - self-contained (it loads nothing and runs no script),
        failures first, per DR region the disks of each standing of RV(posture), a chart of each disk's recovery point against
        the RPO (O(max_snapshot_age_hours)), and the restore drill's times.
      - In check mode, the plan is written as C(dr-plan-<report_name>.json), C(.md) and C(.html) instead, and the last
        run's C(dr-report-<report_name>.*) are left as they are (docs/cost.md). The files are written when the run fails
        after its report too (O(fail_on_missing)).
      - The files never show an earlier run's copies, locks and shares as this run's. When the run starts, before any call,
        they say C(run <id> started at <time>, not finished) (C(run_state=started)), and a run that is killed leaves that.
        A run that ends without a report (bad input, a cloud error it cannot go on from, the task's C(timeout), a crash)
        writes files that say it failed before it could know what it did, with the error (the cloud's code, message and
        request id; C(run_state=failed_before_report)). A finished report says C(run_state=finished). Each file is
        written at once (a temporary file, then a rename).
      - The last finished report is kept beside them as C(dr-report-<report_name>.previous.json) (C(.md), C(.html)) while the
        run has none of its own.
      - Not written for a task run with C(async), whose result comes later.
      - The role C(snapcopy.cloud.dr_copy) sets it.
    type: path
  report_name:
    description:
      - Names the report files of O(report_dir); characters other than letters, digits, C(_), C(.) and C(-) become C(_).
      - Defaults to C(<provider>-<source_region>).
    type: str
  report_history:
    description:
      - How many runs' report files to keep besides the newest, in C(history/<report name>/) of O(report_dir) (each
        run's JSON, Markdown and page, named by when it started and its run id; a run that ended before its report too),
        with an index page, C(<report name>.history.html), newest first. Older ones are deleted; V(0) keeps none.
      - The newest report stays where O(report_dir) and O(report_name) put it.
    type: int
    default: 30
    version_added: 0.2.0
  show_report:
    description:
      - Print the run's report as plain text in the job's output once the run is over, at every verbosity. It holds the
        summary (each count in its unit), the failures, each disk (those with a problem first, then those at risk; at
        most 20) with its copy in each DR region, the restore tests and the report files. The dr_copy role sets it (C(dr_copy_show_report)).
      - Not for a task run with C(async), whose result comes later.
    type: bool
    default: false
  show_progress:
    description:
      - Print a line of progress every O(progress_interval) seconds while the run works, from the first interval on (a
        shorter run prints none) - the phase, and per DR region the copies done (and of them found already there), in
        flight, failed and not started, and the copy in flight least far along, say
        C(progress [db-scope] aws us-east-1, 40 s, waiting for copies - us-west-2 12 of 40 done (10 already there),
        28 in flight - slowest snap-0ab12 at 35%).
      - Unset, a line every 30 seconds at verbosity 0 (AWX's default; a run that waits for its copies for hours then does
        not look hung, and a run shorter than 30 seconds prints none), and a line every O(progress_interval) seconds at C(-v) and
        above; V(true) prints them every O(progress_interval) seconds at every verbosity, V(false) never.
      - Shown when the module runs on the controller (a local connection, as the role and the fleet playbook run it),
        without C(async); elsewhere the run is silent until its end.
    type: bool
    version_added: 0.2.0
  progress_interval:
    description:
      - Seconds between two progress lines (1 to 3600); see O(show_progress).
    type: float
    default: 5
    version_added: 0.2.0
  fleet_progress:
    description:
      - For a fleet where each host of the play is a scope (the playbook C(snapcopy.cloud.dr_fleet) sets it through the role's
        C(dr_copy_fleet_progress)) - the progress is one line for the whole fleet instead of one per scope, printed by
        one scope at a time, C(fleet progress - 3 of 12 scopes done, 1 failed, 4 running, 4 not started; furthest behind
        aws-prod - ...). It is shown as O(show_progress) says. At C(-vv) and above each scope prints its own lines too.
    type: bool
    default: false
    version_added: 0.2.0
  option_names:
    description:
      - How errors and warnings name the options. V(module) names this module's options; V(role) names the variables
        of the P(snapcopy.cloud.dr_copy#role) role that set them (C(dr_copy_keep_copies) for O(keep_copies),
        C(dr_copy_connection.secret_key) for O(secret_key)), which the role passes so that its users read what they typed.
    type: str
    choices: [module, role]
    default: module
    version_added: 0.2.0
  run_id:
    description:
      - The run's id, on its report (RV(run_id)), its leases of shared snapshots and its test disks, as
        C(<UTC time>Z-<6 hex digits>) (C(20261122T181400Z-3f9a1c)).
      - Set by the module's action, which names the run in the report files before the module starts (O(report_dir)); leave
        it unset, and the run makes its own.
    type: str
    version_added: 0.2.0
extends_documentation_fragment:
  - snapcopy.cloud.dr_connection
  - snapcopy.cloud.timeouts
  - snapcopy.cloud.wait
  - snapcopy.cloud.existing_copy
notes:
  - Check mode returns the plan (what would be copied, snapshotted and pruned) and makes no mutating call.
  - Every call of the run uses the same retries and idempotency rules as the single-copy modules.
  - An optional dict or list option (O(tags), O(dr_account), O(lock), O(restore_test_zones)) given as an empty string is not
    set, as if left out; that is what AWX sends for a survey question left blank.
attributes:
  check_mode:
    support: full
    description: Returns the plan without changing anything.
  diff_mode:
    support: none
    description: The report says per disk what changed.
'''

EXAMPLES = r'''
- name: Keep two DR regions supplied for the disks tagged backup=dr
  snapcopy.cloud.dr_sync:
    provider: aws
    source_region: us-east-1
    dr_regions:
      - us-west-2
      - region: eu-west-1
        encrypted: true
        kms_key_id: alias/dr
    tag_selector:
      backup: dr
    max_snapshot_age_hours: 24
    prune: true
    keep_copies: 7
    wait: true
    wait_timeout: 7200
    restore_test: true
  register: dr

- name: Show the report
  ansible.builtin.debug:
    msg: "{{ dr.report_markdown.splitlines() }}"

- name: Plan only, on Tencent Cloud
  snapcopy.cloud.dr_sync:
    provider: cbs
    source_region: ap-guangzhou
    dr_regions: [ap-shanghai]
    tag_selector:
      dr: null
  check_mode: true
'''

RETURN = r'''
plan:
  description:
    - What the run's copies cost and take (C(docs/cost.md)) - in check mode the copies it would make, in a real run those it
      made - so that a plan can be held against what happened. Null for a cloud without a plan.
    - C(copies) has one record per disk (or set member) and DR region - C(disk_id), C(region), C(snapshot_id), C(bytes) (what
      the copy moves and adds), C(bytes_from) (V(full_snapshot_size), V(changed_blocks), or V(disk_size), an upper bound), C(full)
      and C(why_full) (the first copy of the disk to the region; on AWS a change of KMS key or encryption, or an archived copy
      before it; on Tencent Cloud every copy, which it does not say are incremental). C(full), C(incremental) and C(bytes) sum
      them.
    - C(cost) has C(currency) (V(USD)), C(monthly) and C(once) (the sums of their lines), C(complete) (false when a line has
      no price, C(unpriced) naming them, or a copy's size is not known, C(unsized) counting them), C(prices_as_of), C(source),
      and C(lines), each with C(what), C(quantity), C(unit), C(unit_price), C(usd), C(per) (V(month) or V(once)), C(source),
      C(as_of), C(note) and C(region) (null for the lines of every DR region, such as verification's reads). A price nobody
      publishes is a line with no price that says so, never a zero.
    - C(time) has C(hours) until the last copy completes (null - not known - where the cloud promises no copy rate) and C(why),
      the limit that sets it.
  returned: always
  type: dict
  sample:
    copies:
      - {"disk_id": "vol-0abc", "region": "us-west-2", "snapshot_id": "snap-0def", "bytes": 107374182400,
         "bytes_from": "disk_size", "full": true, "why_full": "the first copy of the disk to the region"}
    full: 1
    incremental: 0
    bytes: 107374182400
    cost: {"currency": "USD", "monthly": 5.0, "once": 2.0, "complete": true, "unpriced": [], "prices_as_of": "2026-11-27",
           "source": ["https://docs.aws.amazon.com/ebs/latest/userguide/snapshot-archive-pricing.html"], "lines": []}
    time: {"hours": null, "why": "the cloud promises no copy rate (EBS user guide)"}
  version_added: 0.2.0
totals:
  description:
    - Counts over the run. C(locked) counts the copies this run locked (or would lock, in check mode), see O(lock).
    - C(not_covered) counts the disks of O(source_region) that O(tag_selector) does not take (O(coverage); 0 when it was not
      read). RV(protection)'s C(uncovered) names them.
  returned: always
  type: dict
  sample: {"disks": 3, "copied": 2, "existing": 4, "would_copy": 0, "not_copied": 0, "fresh_snapshots": 0, "pruned": 1, "kept": 6, "without_dr_copy": 0,
           "not_covered": 1, "locked": 2}
posture:
  description:
    - The run's DR posture, which the posture page shows. C(rpo_hours) is O(max_snapshot_age_hours) (null when it is not set).
    - C(regions) has per DR region how many disks stand how there - V(within_rpo) (a completed copy whose recovery point, when
      its source snapshot was taken, is within the RPO, or any completed copy without one), V(over_rpo), V(in_flight),
      V(planned) (check mode), V(no_copy) - and C(oldest_recovery_point_hours), the oldest recovery point of its completed
      copies (null without one); where the run read the DR copies with their marks, C(verified) (disks with a verified copy
      there) and C(suspect) (disks whose copy there stands suspect, O(churn_alarm)).
  returned: always
  type: dict
  sample:
    rpo_hours: 24
    regions:
      us-west-2: {"within_rpo": 11, "over_rpo": 1, "in_flight": 0, "planned": 0, "no_copy": 0, "oldest_recovery_point_hours": 30.2}
  version_added: 0.2.0
protection:
  description:
    - The scope's protection, the one model that the text, the Markdown, the posture page, the fleet report and page and the
      stats render (docs/posture.md's glossary). RV(totals)' C(disks) and C(without_dr_copy) and RV(posture) are its numbers.
    - C(status) is V(protected) (every disk within the RPO in every DR region, read by a run that finished, read the whole scope
      and failed nowhere), V(at risk) (a disk and DR region not within the RPO, or a failure) or V(not known) (a check run, a run
      limited to some disks with no earlier account of the others, no disk, a stale account).
    - C(disks) has per disk its C(disk_id), C(name), C(read_at) and C(regions), each with C(region), C(standing), C(copy_id),
      C(recovery_point) (when the copy's source snapshot was taken), C(recovery_point_age_hours), C(in_flight), C(failed),
      C(differing) (copy ids), C(locked) and C(account); and, where C(points_read) (the run read the DR copies with their
      marks), C(verified_copy_id) and C(verified_point) (the newest copy whose blocks were read beside its source's, and when
      its data were taken), C(doubt) (V(differing), V(suspect) or V(unmeasured), why the newest copy there is no proof of
      its data, null when it stands) with C(doubt_copy_id), C(suspect) (the doubt is the churn alarm's), and
      C(last_known_good), C(last_known_good_point) and C(last_known_good_age_hours) (the newest good copy no doubt reaches,
      which pruning keeps and by which the disk then stands; docs/safety.md's rule). A disk in doubt is V(at risk).
    - C(limited_to) names the disks a run limited to some (O(disk_ids)) read; the action merges them into the scope's last
      account, so C(disks) is the scope's and C(complete) says whether a run ever read it whole. C(stale) says why an
      account is the last known one (in the files of a run that failed before it could know). C(failures) counts the run's.
    - C(uncovered) lists the disks of O(source_region) that O(tag_selector) does not take, each with its C(disk_id), C(name)
      and C(near_miss) (its tags that equal the selector's but for case or spaces, as C(KEY=VALUE)); null when the run read
      no coverage (O(coverage=off), or a run limited by O(disk_ids) with no earlier account). C(exempt) counts the disks
      O(coverage_exempt) leaves out.
  returned: always
  type: dict
  sample: {"status": "at risk", "provider": "aws", "source_region": "us-east-1", "dr_regions": ["us-west-2"], "rpo_hours": 24,
           "read_at": "2026-11-26T10:00:00Z", "account": "123456789012", "check_mode": false, "limited_to": null, "complete": true,
           "failures": 1, "stale": null, "disks": [{"disk_id": "vol-1", "name": "db", "read_at": "2026-11-26T10:00:00Z",
           "regions": [{"region": "us-west-2", "standing": "no_copy", "copy_id": null, "recovery_point": null,
                        "recovery_point_age_hours": null, "in_flight": [], "failed": ["snap-0f1"], "differing": [], "locked": null,
                        "account": null}]}],
           "uncovered": [{"disk_id": "vol-9", "name": "scratch", "near_miss": []},
                         {"disk_id": "vol-7", "name": "db-log", "near_miss": ["Backup=DR"]}], "exempt": 0}
  version_added: 0.2.0
locks:
  description:
    - The DR copies' locks counted, as the pages and the fleet report show them; null when the run has no lock to report.
    - C(in_force) DR copies are locked against deletion now (C(by_this_run) of them locked by this run) and C(first_lock_ends)
      is when the first of those locks ends; C(would_lock) (check mode), C(when_completed), C(expired) and C(lock_failed)
      count the copies with that action (see RV(disks)).
  returned: always
  type: dict
  sample: {"in_force": 12, "by_this_run": 2, "first_lock_ends": "2026-12-09T17:49:19Z", "would_lock": 0, "when_completed": 0,
           "expired": 0, "lock_failed": 0}
  version_added: 0.2.0
disks:
  description: One entry per disk looked after, with C(disk_id), C(disk_name), C(source_snapshot), C(fresh_snapshot),
    C(copies) (one per DR region, as the single-copy modules return them, plus C(age_hours), C(completed), C(standing) and
    C(recovery_point_age_hours) as RV(posture) counts them; C(action) V(newer_held) where the region already holds a good
    copy of a newer recovery point of the disk (its source snapshot deleted since), which the copy then names with its
    C(recovery_point) - no copy of an older point is made there, and it counts in RV(totals)' C(existing); C(mismatch)
    when the copy found differs from what was asked,
    see O(on_mismatch); C(lock), null without O(lock), else what the run did about the copy's lock - C(action) V(locked),
    V(in_force) (locked before), V(expired) (read in force, ended before the run did), V(would_lock) (check mode),
    V(when_completed) (in flight on a cloud that locks only complete copies, a later run locks it; neither AWS nor ECS is one) or
    V(lock_failed) with the cloud's C(error) - and the lock, C(mode), C(status) (the cloud's word), C(in_force), C(expires),
    C(cool_off_ends)), C(missing_regions), C(pruned), C(kept) (a copy kept because its lock is in force has C(reason=locked)
    and its C(lock)), C(other_locks) (with O(lock), the older DR copies of the disk that no run had locked, such as a killed
    run's, locked by this run - C(region), C(snapshot_id), C(action) and the lock), C(problems), and C(consistency_group)
    (null for a disk on its own; with O(consistency_groups), the group's C(name), its C(disks), the C(set_id) its copies are
    of, C(crash_consistent) (false for a set the cloud does not call so, a CBS group of type C(NORMAL)), C(newer_sets),
    the sets newer than its recovery point, each with C(set_id), C(state) V(in_flight) or V(torn), and C(snapshots), and
    C(look_alikes), snapshots that look like a set without evidence (EBS), each with C(snapshots) and C(why), and
    C(refusal), why the cloud can make no set of its disks, null when it can). Each copy
    of a disk of a group has the C(set_id) it is of. With O(verify), each copy has
    C(verification) - C(action) V(verified), V(differs) (with C(why)), V(not_verified) (with the cloud's C(error)),
    V(verified_before) (with its C(mark)), V(in_flight) or V(would_verify), or where no block can be read V(stated) or
    V(would_check), and C(blocks), C(sampled), C(list_calls),
    C(get_calls), C(bytes_read), C(usd), C(one_sided), C(transfer_usd) - and null without. With O(churn_alarm), each copy has C(churn) - C(action)
    V(measured), V(measured_before), V(would_measure) (check mode), V(first_copy) (nothing before it to compare) or
    V(not_measured) (with the cloud's C(error)), and C(share) (of the disk rewritten since C(compared_with), the copy before),
    C(usual) (the disk's usual share, null before any) and C(suspect) - and null without. Where the run read the DR copies
    (O(prune), O(lock), O(verify), O(churn_alarm), O(restore_test)), C(points) has per DR region the newest verified copy
    (C(verified_copy_id), C(verified_point)), the doubt of the newest copy (C(doubt), C(doubt_copy_id), C(suspect)) and then
    the last known good copy (C(last_known_good), C(last_known_good_point), C(last_known_good_age_hours)).
    With O(copy_tags), each copy has C(copy_tags) - C(action)
    V(copied_with) (a copy this run made, with the copy tags its copy call set as the listing after the copies read them
    back), V(would_copy_with) (check mode), V(tagged) (a copy found, given those it lacked or carried with another value),
    V(would_tag) (check mode), V(unchanged) (it carries them as the disk does, or none can be set) or V(failed) (the cloud
    refused the tagging or untagging call), C(set) (the keys and values set, or that a check run would set), C(not_set)
    (each named key not set, with why - the disk does not carry it, no room under the cloud's limit, the cloud keeps no
    tags on snapshots, the cloud's error), C(removed) (the keys a run set earlier that it took off, or a check run would,
    since the disk no longer carries them or O(copy_tags) no longer names them) and C(not_removed) (each key the cloud
    refused to take off, with its error) - and null without; C(other_copy_tags) lists the disk's older DR copies the run
    tagged or would tag, each with C(region), C(snapshot_id) and the same fields.
  returned: always
  type: list
  elements: dict
restore:
  description:
    - The restore drill (O(restore_test)); null without one.
    - C(run_id) and C(scope) (the values of the tags C(snapcopy:restore-test) and C(snapcopy:restore-scope) on this run's test
      disks), C(disk_type), C(count_per_region); C(regions) (C(region), C(zone), C(plan) in check mode when the copies are still
      to be made, C(problem)); C(totals) (C(passed), C(failed), C(timed_out), C(would_test), C(leftovers_deleted)); C(tests), one per
      test (C(region), C(zone), C(disk_id), C(copy_id), C(copy_created), C(test_disk_id), C(disk_type), C(result) V(passed),
      V(failed), V(timed_out) or V(would_test), C(seconds_to_usable), C(test_disk) what became of it, C(error) the cloud's error,
      C(consistency_group) and C(set_id) for a member of a group, restored with the others of its set in one zone);
      with O(restore_test_host), C(held) (each test whose disk is attached for your checks, with C(attached_to),
      C(device) where the cloud names one, C(seconds_to_attached)) and C(validation) (C(state) V(pending), C(instance_id));
      M(snapcopy.cloud.dr_drill_finish) writes the checks into the report files (C(validation) V(passed) or V(failed), each
      held test's C(seconds_to_validated));
      C(sets), one per consistency group restored in a region (C(region), C(group), C(set_id), C(disks), C(result) V(passed)
      only when every member passed, C(seconds_to_usable) its slowest member's, the set's time to restore);
      C(leftovers), the test disks of earlier drills deleted (or V(would_delete) in check mode); C(warnings), the drill's share of RV(run_warnings).
  returned: always
  type: dict
  sample:
    run_id: 20261122T181400Z-3f9a1c
    scope: 5e0f8a2c41d7
    disk_type: gp3
    count_per_region: 1
    regions: [{"region": "us-west-2", "zone": "us-west-2a", "plan": null, "problem": null}]
    totals: {"passed": 1, "failed": 0, "timed_out": 0, "would_test": 0, "leftovers_deleted": 0}
    tests:
      - {"region": "us-west-2", "zone": "us-west-2a", "disk_id": "vol-0123456789abcdef0", "copy_id": "snap-0123456789abcdef0",
         "copy_created": "2026-11-22T06:00:00Z", "test_disk_id": "vol-0fedcba9876543210", "disk_type": "gp3", "result": "passed",
         "seconds_to_usable": 4.2, "test_disk": {"id": "vol-0fedcba9876543210", "action": "deleted"}, "error": null}
    leftovers: []
    warnings: []
failures:
  description: Everything that went wrong, one sentence each, naming the disk.
  returned: always
  type: list
  elements: str
report_markdown:
  description:
    - The report as Markdown (totals, one row per disk and DR region, pruned copies, failures), rendered on the controller
      from the module's other return values.
    - Missing with the task keyword C(async), whose final result comes from C(ansible.builtin.async_status).
  returned: always
  type: str
provider:
  description: The provider.
  returned: always
  type: str
source_region:
  description: The source region.
  returned: always
  type: str
dr_regions:
  description: The DR regions.
  returned: always
  type: list
  elements: str
account:
  description:
    - The account the run acted in when it assumed a role (O(role_arn) on AWS and Tencent Cloud, O(alicloud_assume_role_arn)
      on Alibaba Cloud), read from the role's ARN; null when it used the connection's own account.
  returned: always
  type: str
  sample: '123456789012'
generated_at:
  description: When the run looked at the snapshots (UTC).
  returned: always
  type: str
run_id:
  description: The run's id (O(run_id)), also on its leases of shared snapshots and its test disks.
  returned: always
  type: str
  sample: 20261122T181400Z-3f9a1c
  version_added: 0.2.0
check_mode:
  description: Whether this was a plan only.
  returned: always
  type: bool
verify:
  description:
    - The run's O(verify) setting, V(off), V(full) or the number of blocks sampled a copy, by which the pages say whether a
      count of verified recovery points is of this run's reads or of earlier runs' marks.
  returned: always
  type: str
  sample: 'off'
duration_seconds:
  description: How long the run took, from the first cloud call to the report, in seconds.
  returned: always
  type: float
  sample: 12.4
run_warnings:
  description:
    - What the run let pass but a person should know (a differing copy used as it is with O(on_mismatch=warn), a test disk
      that could not be deleted), one sentence each. Each is also shown as the task's warning.
    - Kept here, and in the JSON report file, as plain text; the task's own C(warnings) are the core's, whose form
      changes between ansible-core releases.
  returned: always
  type: list
  elements: str
  version_added: 0.2.0
dr_account:
  description:
    - With O(dr_account), the DR account (C(account)) and the shares with it - C(released) (removed by this run),
      C(would_release) (check mode), C(held) (a copy of it is still in flight; a later run removes the share),
      C(release_failed). On AWS a share is of a source snapshot, named by its id; on Tencent Cloud CBS of a staged copy,
      named C(<DR region>/<id>), and its release also terminates the bridge disk and deletes the staged copy.
    - C(made) - what the run made in the DR account on the way to its copies (CBS - bridge disks and the DR account's
      snapshots of them), and C(would_make) (check mode) - the staged copies a run would take a step further.
    - Null without O(dr_account).
  returned: always
  type: dict
  sample: {"account": "222233334444", "released": ["snap-0123456789abcdef0"], "would_release": [], "held": [], "release_failed": [],
           "made": [], "would_make": []}
  version_added: 0.2.0
api_retries:
  description: Calls retried after throttling or a transient error.
  returned: always
  type: int
report_files:
  description:
    - The report files written on the controller, C(json), C(markdown) and C(html) (the DR posture page).
    - When the run ended without a report, the files that say it failed before it could know (see O(report_dir)).
  returned: when O(report_dir) is set, without C(async)
  type: dict
  sample: {"json": "/home/awx/dr-reports/dr-report-aws-us-east-1.json", "markdown": "/home/awx/dr-reports/dr-report-aws-us-east-1.md",
           "html": "/home/awx/dr-reports/dr-report-aws-us-east-1.html"}
report_history:
  description: The index page of the runs kept in the report folder's C(history/) (see O(report_history)), newest first.
  returned: when O(report_dir) is set and O(report_history) is not 0, without C(async)
  type: str
  sample: /home/awx/dr-reports/dr-report-aws-us-east-1.history.html
error:
  description: The cloud's error that ended the run before any report, with C(action), C(code), C(message) and C(request_id).
  returned: on such an error
  type: dict
'''

from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.dr_module import (
    DR_ARGUMENT_SPEC,
    DrSyncModule,
    run_dr_module,
)


def main():
    module = DrSyncModule(argument_spec=DR_ARGUMENT_SPEC, supports_check_mode=True)
    run_dr_module(module)


if __name__ == '__main__':
    main()

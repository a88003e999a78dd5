# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A DR run's settings, parsed once from dr_sync's options (runners/dr_module.dr_settings) and read as attributes by the
run, its drill and its report: one frozen dataclass per concern, so that a typo is mypy's error, not a None at run
time."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ..core.dr_model import LockSettings
    from .plan import PlanFacts


@dataclass(frozen=True)
class DrRegion:
    """One DR region (dr_sync's ``dr_regions`` entry) and the copy options it sets for its copies alone."""

    region: str
    encrypted: bool | None = None
    kms_key_id: str | None = None
    completion_duration_minutes: int | None = None

    def copy_options(self) -> dict[str, Any]:
        """The options this region sets (those given): they override the run's for its copies."""
        return {
            key: value
            for key, value in (
                ('encrypted', self.encrypted),
                ('kms_key_id', self.kms_key_id),
                ('completion_duration_minutes', self.completion_duration_minutes),
            )
            if value is not None
        }

    def options(self, run_options: Mapping[str, Any]) -> dict[str, Any]:
        """The copy options its copies are made with: the run's (``run_options``), with this region's own over them. A
        region's completion_duration_minutes of 0 is a standard copy there, whatever the run's, as 0 is for the run."""
        options = dict(run_options, **self.copy_options())
        if options.get('completion_duration_minutes') == 0:
            del options['completion_duration_minutes']
        return options


@dataclass(frozen=True)
class CopySettings:
    """What each DR copy is made with: name and description templates, tags, the cloud's copy options (``options``:
    those of encrypted, kms_key_id, retention_days, instance_billing_cycle, completion_duration_minutes that were
    given), and what to do with a copy
    found that differs (``on_mismatch``), and how many copies may be in flight at once (None: the cloud's own limit).
    ``copy_tags`` are the keys of the disk's tags that its copies carry too (dr.copy_tags)."""

    name_template: str | None = None
    description_template: str | None = None
    tags: Mapping[str, Any] | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    on_mismatch: str | None = None
    max_in_flight: int | None = None
    copy_tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class FreshSnapshots:
    """The recovery point: a disk whose newest completed snapshot is older than ``max_age_hours`` gets a fresh one,
    named from ``name_template``; None: no fresh snapshots."""

    max_age_hours: float | None = None
    name_template: str | None = None


@dataclass(frozen=True)
class PrunePolicy:
    """Which older DR copies a run deletes: with ``enabled``, beyond the newest ``keep_copies``, or older than
    ``max_copy_age_days``."""

    enabled: bool = False
    keep_copies: int | None = None
    max_copy_age_days: int | None = None

    @property
    def deletes(self) -> bool:
        """Whether this policy may delete anything."""
        return self.enabled and bool(self.keep_copies or self.max_copy_age_days)


@dataclass(frozen=True)
class WaitSettings:
    """Whether the run waits for its copies (and fresh snapshots, the DR account's steps, the drill), how long, and how
    often it reads."""

    wait: bool = False
    timeout: float = 600
    poll_interval: float = 15


@dataclass(frozen=True)
class DrillHostSettings:
    """The instance of the user's that the drill attaches its disks to in ``region`` (dr_sync's ``restore_test_host``),
    where the user's own tasks check the data within ``validate_timeout`` seconds before the disks go."""

    instance_id: str
    region: str
    validate_timeout: float = 1800


@dataclass(frozen=True)
class RestoreSettings:
    """The restore drill (dr_sync's ``restore_test*`` options): ``count`` disks a DR region, made in ``zones`` (region:
    zone) with ``disk_type``, each given ``timeout`` seconds to be usable; with ``host``, the disks of its region are
    attached to it and left for the user's checks (dr_drill_finish deletes them)."""

    enabled: bool = False
    count: int = 1
    zones: Mapping[str, str] = field(default_factory=dict)
    disk_type: str | None = None
    timeout: float = 1800
    host: DrillHostSettings | None = None


# dr_sync's coverage option (dr.coverage): count and show the disks not covered; also fail the run on one; no
# region-wide listing.
COVERAGE_REPORT, COVERAGE_FAIL, COVERAGE_OFF = 'report', 'fail', 'off'
COVERAGE_MODES = (COVERAGE_REPORT, COVERAGE_FAIL, COVERAGE_OFF)


@dataclass(frozen=True)
class CoverageSettings:
    """Coverage (dr.coverage): ``mode`` off (no region-wide listing), report (count and show the disks the selector
    does not take) or fail (and fail the run on one); disks that carry every tag of ``exempt`` are left out by choice."""

    mode: str = COVERAGE_REPORT
    exempt: Mapping[str, str | None] | None = None


# dr_sync's consistency_groups (dr.groups): the disks attached to one instance form a group, or those that share a tag
# key's value.
GROUP_BY_INSTANCE, GROUP_BY_TAG = 'instance', 'tag'


@dataclass(frozen=True)
class GroupSettings:
    """Consistency groups (dr.groups): ``by`` None (each disk on its own), GROUP_BY_INSTANCE or GROUP_BY_TAG (the disks
    whose ``tag_key`` has one value form a group)."""

    by: str | None = None
    tag_key: str | None = None
    #: consistency_set_tag: the tag key whose value marks the snapshots of one set the user's own tooling made (EBS,
    #: where the cloud names no set: clouds/aws/ebs_dr.py).
    set_tag: str | None = None


@dataclass(frozen=True)
class VerifySettings:
    """Verification of the DR copies (dr.verify, dr_sync's ``verify``): ``sample`` blocks of each copy read and compared
    with its source's, or every block (``full``); off when neither."""

    sample: int | None = None
    full: bool = False

    @property
    def enabled(self) -> bool:
        return self.full or bool(self.sample)


@dataclass(frozen=True)
class ChurnSettings:
    """The churn alarm (dr.verify, dr_sync's ``churn_alarm``): a new copy whose source rewrote at least ``percent`` of the
    disk's blocks since the copy before it, and at least twice the disk's usual share, is suspect; off when None."""

    percent: float | None = None

    @property
    def enabled(self) -> bool:
        return self.percent is not None


@dataclass(frozen=True)
class PlanSettings:
    """The plan (dr.plan, dr_sync's result ``plan``): the cloud's rules, limits and prices (``facts``, None: the cloud
    plans nothing), and the prices dr_sync's ``prices`` option gives ({DR region: {price key: USD}}, dr.plan.given_prices)."""

    facts: PlanFacts | None = None
    prices: Mapping[str, Mapping[str, float]] = field(default_factory=dict)


@dataclass(frozen=True)
class DrSettings:  # pylint: disable=too-many-instance-attributes  # one attribute a concern, each a dataclass of its own
    """One DR run's settings: where from and to, which disks, and each concern's own settings."""

    provider: str
    source_region: str
    dr_regions: tuple[DrRegion, ...]
    tag_selector: Mapping[str, str | None]
    allow_no_disks: bool = False
    #: The disks the run is limited to, of those the selector matches (dr_sync's ``disk_ids``); None: every one.
    disk_ids: tuple[str, ...] | None = None
    copy: CopySettings = field(default_factory=CopySettings)
    fresh: FreshSnapshots = field(default_factory=FreshSnapshots)
    prune: PrunePolicy = field(default_factory=PrunePolicy)
    lock: LockSettings | None = None
    #: The DR account's assume-role options and its account id (dr.account.dr_account_settings); None: the disks'
    #: account.
    dr_account: Mapping[str, Any] | None = None
    wait: WaitSettings = field(default_factory=WaitSettings)
    restore: RestoreSettings = field(default_factory=RestoreSettings)
    coverage: CoverageSettings = field(default_factory=CoverageSettings)
    groups: GroupSettings = field(default_factory=GroupSettings)
    verify: VerifySettings = field(default_factory=VerifySettings)
    churn: ChurnSettings = field(default_factory=ChurnSettings)
    plan: PlanSettings = field(default_factory=PlanSettings)

    @property
    def region_names(self) -> list[str]:
        """The DR regions' names, in the order given."""
        return [dr_region.region for dr_region in self.dr_regions]

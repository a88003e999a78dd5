# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a DR run asks of the copy engine for one disk (copy_requests), from dr_sync's templates; and those templates and
the adapter's checks, run before any call (check_templates, validate_sample)."""

from __future__ import annotations

import string
from typing import TYPE_CHECKING, Any, cast

from ...core.errors import InputError
from ...core.model import CopyRequest
from ...core.tagging import COPY_TAGS_TAG, DISK_TAG, POINT_TAG, SOURCE_TAG
from ..copy_tags import copy_call_tags, disk_copy_tags, later_marks

if TYPE_CHECKING:
    import datetime
    from collections.abc import Mapping

    from ..capabilities import DrAdapter
    from ..settings import DrSettings

TEMPLATE_FIELDS = ('disk_id', 'disk_name', 'source_id', 'source_region', 'date')
# The adapters check requests with the single-copy modules' option names; dr_sync's user set these.
DR_OPTION_NAMES = {
    'destination_region': 'dr_regions',
    'destination_regions': 'dr_regions',
    'name': 'name_template',
    'description': 'description_template',
}


def dr_input_error(error: InputError) -> InputError:
    """An adapter's InputError, which names a single-copy module's option, in the words of dr_sync's options."""
    return InputError(DR_OPTION_NAMES.get(error.option, error.option), error.message)


def render(template: str | None, fields: Mapping[str, Any], option: str) -> str | None:
    """Fill a name or description template; unknown placeholders are bad input."""
    if template is None:
        return None
    try:
        return template.format(**fields)
    except (KeyError, IndexError, ValueError) as error:
        raise InputError(
            option,
            'cannot fill the template %r (%s); placeholders are %s'
            % (template, error, ', '.join('{%s}' % field for field in TEMPLATE_FIELDS)),
        ) from None


def copy_requests(
    settings: DrSettings,
    now: datetime.datetime,
    source_id: str,
    disk_id: str,
    disk_name: str | None,
    set_tags: Mapping[str, str] | None = None,
    disk_tags: Mapping[str, str] | None = None,
    adapter: DrAdapter | None = None,
    *,
    point: str | None = None,
) -> list[CopyRequest]:
    """One CopyRequest per group of DR regions that share copy options; ``set_tags`` are the group's and set's tags of a
    disk of a consistency group (dr.groups). With ``disk_tags`` and the ``adapter``, the copy tags the disk carries go
    into the copy call too, as many as the cloud's limit leaves room for (dr.copy_tags). ``point`` is when the source
    was taken (POINT_TAG: the copy's recovery point, which outlives the source, dr.points)."""
    fields = {
        'disk_id': disk_id,
        'disk_name': disk_name or disk_id,
        'source_id': source_id,
        'source_region': settings.source_region,
        'date': now.strftime('%Y-%m-%d'),
    }
    tags = dict(settings.copy.tags or {})
    tags[DISK_TAG] = '%s/%s' % (settings.source_region, disk_id)
    if point:
        tags[POINT_TAG] = point
    tags.update(set_tags or {})
    rules = adapter.copy_tag_rules if adapter is not None else None
    if disk_tags and settings.copy.copy_tags and rules is not None and adapter is not None:
        wanted, dummy = disk_copy_tags(settings.copy.copy_tags, disk_tags)
        tags.update(
            copy_call_tags(
                wanted, dict(tags, **{SOURCE_TAG: ''}), rules, later_marks(adapter, settings.dr_account is not None)
            )
        )
    common = {
        'name': render(settings.copy.name_template, fields, 'name_template'),
        'description': render(settings.copy.description_template, fields, 'description_template'),
        'tags': tags,
    }
    common.update(settings.copy.options)
    groups: dict[tuple[tuple[str, str], ...], tuple[dict[str, Any], list[str]]] = {}
    for region in settings.dr_regions:
        options = region.options(common)
        key = tuple(sorted((name, repr(value)) for name, value in options.items()))
        groups.setdefault(key, (options, []))[1].append(region.region)
    # A name or description made from a template with the date changes from run to run: a copy
    # made on another day is not held to today's.
    not_compared = [
        option
        for option, template in (
            ('name', settings.copy.name_template),
            ('description', settings.copy.description_template),
        )
        if '{date}' in (template or '')
    ]
    # CopyRequest makes not_compared a frozenset (its __post_init__). The copy tags and their record follow the disk: a
    # copy found is brought up to date (phases.copy_tags), never held to them.
    return [
        CopyRequest(
            source_id,
            settings.source_region,
            regions,
            options,
            cast('frozenset[str]', not_compared),
            frozenset(settings.copy.copy_tags) | ({COPY_TAGS_TAG} if settings.copy.copy_tags else set()),
        )
        for options, regions in groups.values()
    ]


def check_templates(settings: DrSettings) -> None:
    """Check the name and description templates, before any call."""
    fields = {
        'disk_id': 'disk',
        'disk_name': 'name',
        'source_id': 'snapshot',
        'source_region': 'region',
        'date': '2026-01-01',
    }
    # A fresh snapshot's name is checked here too: it is filled only once a disk needs one, after the reads.
    templates = {
        'name_template': settings.copy.name_template,
        'description_template': settings.copy.description_template,
        'snapshot_name_template': settings.fresh.name_template,
    }
    for option, template in templates.items():
        if template:
            for dummy, field, dummy_spec, dummy_conversion in string.Formatter().parse(template):
                if field is not None and field not in TEMPLATE_FIELDS:
                    raise InputError(
                        option,
                        'unknown placeholder {%s}; placeholders are %s'
                        % (field, ', '.join('{%s}' % name for name in TEMPLATE_FIELDS)),
                    )
            render(template, fields, option)


def validate_sample(adapter: DrAdapter, settings: DrSettings, now: datetime.datetime) -> None:
    """The adapter's checks on the requests of a sample snapshot (every DR adapter names one), in dr_sync's words."""
    for request in copy_requests(settings, now, cast('str', adapter.sample_snapshot_id), 'disk', 'name'):
        try:
            adapter.validate(request)
        except InputError as error:
            raise dr_input_error(error) from None

"""Issue 62, points 9 and 10: the dr_copy role as a newcomer runs it, by ansible-playbook against fakecloud (the real
SDKs over HTTP).

- A misspelt dr_copy_* variable did nothing, silently: it is warned of, naming the nearest variable of the role.
- A key of dr_copy_connection that is no option was named as an option of dr_sync that the user never wrote
  ("dr_copy_endpoint is no option of this module"): it is named as written, dr_copy_connection.endpoint, of the role.
"""

from __future__ import annotations

from ansible_collections.snapcopy.cloud.plugins.plugin_utils._role_variables import (
    role_variables,
    unknown_variable_warnings,
)
from ansible_collections.snapcopy.cloud.tests.unit.plugins.action.test_role_arguments import (
    ALIBABA,
    fatal_lines,
    play,
    playbook,
    role_task,
)


def test_every_unknown_dr_copy_variable_is_warned_of_naming_the_nearest_one():
    warnings = unknown_variable_warnings(
        {
            'dr_copy_max_snapshot_age_hour': 1,
            'dr_copy_dr_region': ['cn-beijing'],
            'dr_copy_zzz': 1,
            # The role's own: its variables, what it registers and sets, the stats an AWX workflow passes on.
            'dr_copy_provider': 'ecs',
            'dr_copy_result': {},
            'dr_copy_drill_finish': {},
            'dr_copy_runs': {},
            'other_variable': 1,
        }
    )
    assert warnings == [
        'dr_copy_dr_region is no variable of the dr_copy role, and does nothing: did you mean dr_copy_dr_regions?',
        'dr_copy_max_snapshot_age_hour is no variable of the dr_copy role, and does nothing: did you mean '
        'dr_copy_max_snapshot_age_hours?',
        'dr_copy_zzz is no variable of the dr_copy role, and does nothing: its variables are in docs/roles/dr_copy.md',
    ]


def test_the_variables_a_user_sets_are_the_argument_specs_and_each_has_a_default():
    settable, known = role_variables()
    assert 'dr_copy_max_snapshot_age_hours' in settable and 'dr_copy_result' not in settable
    assert settable <= known and {'dr_copy_result', 'dr_copy_checks', 'dr_copy_summary', 'dr_copy_runs'} <= known


def test_the_role_warns_of_a_misspelt_variable_and_names_a_connection_key_as_written(fakecloud_clean, tmp_path):
    fakecloud_clean.admin.seed(ecs={'disks': [{'region': 'cn-hangzhou', 'tags': {'backup': 'dr'}, 'snapshots': 1}]})
    good = {
        'dr_copy_provider': 'ecs',
        'dr_copy_source_region': 'cn-hangzhou',
        'dr_copy_dr_regions': ['cn-beijing'],
        'dr_copy_tag_selector': {'backup': 'dr'},
        'dr_copy_connection': dict(ALIBABA, endpoint_url=fakecloud_clean.url),
        'dr_copy_report_dir': str(tmp_path / 'reports'),
        'dr_copy_show_report': False,
    }
    tasks = [
        role_task('typo', dict(good, dr_copy_max_snapshot_age_hour=1)),
        role_task(
            'connection key',
            dict(good, dr_copy_connection=dict(ALIBABA, endpoint=fakecloud_clean.url)),
            rescued=True,
        ),
    ]
    code, output = playbook(tmp_path, play(tasks), {}, check=True)
    assert code == 0, output[-3000:]
    flat = ' '.join(output.split())
    assert (
        'dr_copy_max_snapshot_age_hour is no variable of the dr_copy role, and does nothing: did you mean '
        'dr_copy_max_snapshot_age_hours?' in flat
    ), output[-3000:]
    (fatal,) = fatal_lines(output)
    assert (
        'dr_copy_connection.endpoint is no connection option of the dr_copy role: did you mean '
        'dr_copy_connection.endpoint_url?' in fatal
    ), fatal
    assert 'dr_copy_endpoint' not in output and 'of this module' not in fatal

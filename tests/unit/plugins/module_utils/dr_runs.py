"""One DR run in a test, written once: dr_sync's options made into settings as the module makes them (dr_settings), the
DR account connected as the module connects it when the options name one, then DrRun. The tests of each cloud say only
what differs: the adapter, the options, the clock."""

from __future__ import annotations

from ansible_collections.snapcopy.cloud.plugins.module_utils.core.model import parse_time
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.account import connect_dr_account
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.run import DrRun
from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.dr_module import dr_settings


def scope(provider, source_region, dr_regions, tag_selector, /, **options):
    """dr_sync's options for one scope: waiting, no pruning, a test's short timeout and poll, then ``options`` (which
    may name any of the first four again: a test's own DR regions, say)."""
    return dict(
        {
            'provider': provider,
            'source_region': source_region,
            'dr_regions': list(dr_regions),
            'tag_selector': tag_selector,
            'prune': False,
            'wait': True,
            'wait_timeout': 600,
            'poll_interval': 1,
        },
        **options,
    )


def new_dr_run(adapter, options, *, connection=None, check_mode=False, clock=None, **run_arguments):
    """One DrRun of ``adapter`` with dr_sync's ``options``, not started; with a DR account in them, ``connection`` (the
    run's own) is where the DR account's role is assumed from. ``clock``: a FakeClock for the run's time and sleeps."""
    settings = dr_settings(options)
    if settings.dr_account is not None and connection is not None:
        connect_dr_account(
            adapter, connection, settings.dr_account, settings.source_region, settings.dr_regions[0].region
        )
    if clock is not None:
        run_arguments.update(clock=clock.clock, sleep=clock.sleep)
        client_retry = getattr(getattr(adapter, 'client', None), 'retry', None)
        if 'retry' not in run_arguments and client_retry is not None and client_retry.backoff is not None:
            # A run's time is its backoff's: the client's (its own, or one an earlier run of the adapter gave it) waits
            # on this run's clock.
            client_retry.backoff = clock.backoff()
    return DrRun(adapter, settings, check_mode=check_mode, **run_arguments)


def dr_run_with(adapter, options, **arguments):
    """The report of one DrRun (new_dr_run's arguments)."""
    return new_dr_run(adapter, options, **arguments).run()


def memory_dr_run(cloud, clock, options, **run_arguments):
    """One DrRun of the in-memory cloud (memory_cloud.py) on its FakeClock, not started: the run's time is the cloud's
    now, and one copy call at a time unless ``workers`` says otherwise (neither the fake clock nor the in-memory cloud
    is thread-safe)."""
    run_arguments.setdefault('now', parse_time(cloud.when(clock.now)))
    run_arguments.setdefault('workers', 1)
    return new_dr_run(cloud, options, clock=clock, **run_arguments)


def copied_and_failed(report):
    """({source snapshot copied into every DR region}, {source snapshot: the error of its copy not made}) of a report."""
    copied = {
        disk['source_snapshot']['id']
        for disk in report['disks']
        if {copy['action'] for copy in disk['copies']} == {'copied'}
    }
    failed = {
        disk['source_snapshot']['id']: copy['error']
        for disk in report['disks']
        for copy in disk['copies']
        if copy['action'] == 'not_copied'
    }
    return copied, failed

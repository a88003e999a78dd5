"""The helper of the real-account test (docs/real-account.md): it makes, finds and removes what the
test needs in real clouds, through the clouds' SDKs. runme.sh and real_account.yml call it:

  real_account.py opt-in INTEGRATION_CONFIG {config,dry_run}
      print snapcopy_real_account_<key> from ansible-test's integration_config.yml ('' if unset)
  real_account.py check CONFIG [--dry-run]
      check the config (a real run needs i_understand_this_costs_money: true) and say what a run makes
  real_account.py new-run-id
      print a new run id, snapcopy-it-<UTC time>-<random>
  real_account.py setup CONFIG --cloud CLOUD --run-id RUN [--dry-run]
      make the run's disk and snapshot in CLOUD; print {"disk_id": ..., "snapshot_id": ...}
  real_account.py cleanup CONFIG --run-id RUN [--cloud CLOUD] [--dry-run]
      delete every disk, snapshot and DR copy labelled with RUN, and nothing else
  real_account.py cleanup-leftovers CONFIG [--older-than-hours N] [--dry-run]
      delete what earlier runs left (labelled with a run id older than N hours)
  real_account.py probe CONFIG --cloud {ecs,ens} --run-id RUN --disk-id DISK --copy-id COPY [--dry-run]
      ask the live API a rule of the vendor's model the collection relies on; print the finding as JSON
      (exit 1 only where the answer contradicts the collection in the direction that loses data)

Every call is printed on stderr (secrets masked) before it is made; --dry-run prints the calls a
run would make and makes none. A config error names the key, before any call.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys

import real_account_config as config_file
from real_account_api import ApiError, CallLog, SdkMissing, make_client, mask_key_id
from real_account_clouds import CLOUDS, PROBED, SetupError

# What each cloud's setup makes, for the summary before a run.
MAKES = {
    'aws': '1 GiB gp3 volume in {zone}, one snapshot of it, its copy in {dr}',
    'ecs': '1 GiB cloud_essd PL0 disk in {source}, attached to {instance} while it is snapshotted (ECS snapshots only '
    'disks that were attached once), one snapshot, its copy in {dr}, and for a minute a disk made from that copy in {dr}',
    'ens': '20 GiB cloud_efficiency disk on node {source}, one snapshot of it, its copy on node {dr}',
    'cbs': 'the smallest pay-as-you-go CLOUD_PREMIUM (else CLOUD_BSSD) disk in {zone} (10 and 20 GiB in Tencent\'s docs; '
    'asked of DescribeDiskConfigQuota), one snapshot of it, its copy in {dr}',
}
KEY_IDS = ('access_key', 'alicloud_access_key', 'secret_id')
# Credential options shown as they are: none of them is a secret (the modules do not mark them no_log); any other is
# ****.
SHOWN = ('profile', 'alicloud_assume_role_arn', 'alicloud_assume_role_session_name', 'role_arn', 'role_session_name')


def note(text):
    print(text, file=sys.stderr, flush=True)


def describe_credentials(settings):
    if settings.credentials is None:
        assumed = config_file.role_of(settings)
        return "from the environment (%s)%s" % (
            "boto3's usual chain" if settings.name == 'aws' else 'the variables the modules read',
            ', assuming the role %s%s' % (assumed.arn, ' with an external id (****)' if assumed.external_id else '')
            if assumed
            else '',
        )
    shown = []
    for name, value in sorted(settings.credentials.items()):
        shown.append('%s=%s' % (name, value if name in SHOWN else mask_key_id(value) if name in KEY_IDS else '****'))
    return 'from the config (%s)' % ', '.join(shown)


def make_cloud(settings, config, log, dry_run, run_id=None):
    return CLOUDS[settings.name](
        settings, make_client(settings, log, dry_run, run_id), config.wait_timeout_minutes * 60
    )


def selected_clouds(config, name):
    if name is None:
        return list(config.clouds.values())
    if name not in config.clouds:
        raise config_file.ConfigError('clouds.%s' % name, 'not in the config')
    return [config.clouds[name]]


# ------------------------------------------------------------------ the commands
def opt_in(args):
    """ansible-test hands a target none of the caller's environment: its integration_config.yml does the opting in."""
    import yaml  # pylint: disable=import-outside-toplevel

    with open(args.integration_config, encoding='utf-8') as stream:
        data = yaml.safe_load(stream) or {}
    value = data.get('snapcopy_real_account_%s' % args.key)
    if args.key == 'dry_run':
        print('1' if value is True or str(value).lower() in ('1', 'true', 'yes') else '')
    elif value:
        if not str(value).startswith('/'):
            raise config_file.ConfigError(
                'snapcopy_real_account_config',
                'must be an absolute path (ansible-test runs the target from a temporary copy), got %r' % (value,),
            )
        print(value)
    else:
        print('')
    return 0


def new_run_id(unused_args):
    print(config_file.new_run_id())
    return 0


def check(args):
    config = config_file.load(args.config, args.dry_run)
    note('real_account: config %s%s' % (args.config, ', dry run: no call will reach a cloud' if args.dry_run else ''))
    if args.dry_run and not config.acknowledged:
        note('  (it does not say %s: true, so a real run would refuse it)' % config_file.ACKNOWLEDGEMENT)
    for settings in config.clouds.values():
        makes = MAKES[settings.name].format(
            zone=settings.zone, source=settings.source_region, dr=settings.dr_region, instance=settings.instance_id
        )
        note('  %s: %s; credentials %s' % (settings.name, makes, describe_credentials(settings)))
    note(
        '  everything is labelled with the run id and deleted at the end; leftovers of runs older than %s hours are '
        'deleted first' % config.leftovers_older_than_hours
    )
    if not args.dry_run:
        # Each cloud's SDK client, made now (no call yet), so that a missing SDK or profile stops the run before it
        # makes anything.
        for settings in config.clouds.values():
            make_client(settings, CallLog(False), False)
    return 0


def setup(args):
    config = config_file.load(args.config, args.dry_run)
    settings = selected_clouds(config, args.cloud)[0]
    log = CallLog(args.dry_run)
    made = make_cloud(settings, config, log, args.dry_run, args.run_id).setup(args.run_id)
    made.update(
        cloud=settings.name,
        source_region=settings.source_region,
        dr_region=settings.dr_region,
        wait_timeout=config.wait_timeout_minutes * 60,
    )
    verb = 'would make' if args.dry_run else 'made'
    note(
        '%s: %s disk %s and snapshot %s of run %s'
        % (settings.name, verb, made['disk_id'], made['snapshot_id'], args.run_id)
    )
    print(json.dumps(made))
    return 0


def cleanup(args):
    config = config_file.load(args.config, args.dry_run)
    if config_file.run_id_of(args.run_id) != args.run_id:
        raise config_file.ConfigError('--run-id', 'not a run id: %r' % (args.run_id,))
    return remove(
        config,
        selected_clouds(config, args.cloud),
        args.dry_run,
        'run %s' % args.run_id,
        lambda found: config_file.of_run(found, args.run_id),
        args.run_id,
    )


def cleanup_leftovers(args):
    config = config_file.load(args.config, args.dry_run)
    hours = args.older_than_hours or config.leftovers_older_than_hours
    now = datetime.datetime.now(datetime.timezone.utc)
    return remove(
        config,
        list(config.clouds.values()),
        args.dry_run,
        'earlier runs (older than %s hours)' % hours,
        lambda found: config_file.leftovers(found, now, hours),
    )


# Disks in the DR region first: made from a DR copy (the ECS probe), they keep it from being deleted (ECS DeleteSnapshot
# refuses without Force, SnapshotCreatedDisk, and the cleanup never forces). Then DR copies (a source may not go while
# copied), then the source's snapshots, then its disks.
DELETION_ORDER = (('disk', True), ('snapshot', True), ('snapshot', False), ('disk', False))


def deletion_order(settings):
    return lambda resource: DELETION_ORDER.index((resource.kind, resource.region == settings.dr_region))


def remove(config, clouds, dry_run, whose, select, run_id=None):
    """Delete what ``select`` picks among each cloud's candidates, in deletion_order. Goes on after a
    failure, and returns 1 if anything is left."""
    log = CallLog(dry_run)
    problems = []
    for settings in clouds:
        try:
            cloud = make_cloud(settings, config, log, dry_run, run_id)
            chosen = select(cloud.resources())
        except (ApiError, SdkMissing) as error:
            problems.append(str(error))
            continue
        if not chosen:
            note('%s: nothing of %s found' % (settings.name, whose))
        for resource in sorted(chosen, key=deletion_order(settings)):
            what = '%s %s %s %s (%s)' % (
                settings.name,
                resource.region,
                resource.kind,
                resource.id,
                ', '.join(resource.labels),
            )
            try:
                cloud.delete(resource)
            except (ApiError, SetupError) as error:
                problems.append('%s: %s' % (what, error))
                continue
            note('%s %s of %s' % ('would delete' if dry_run else 'deleted', what, whose))
    for problem in problems:
        note('real_account: NOT REMOVED: %s' % problem)
    if problems:
        note(
            'real_account: run the same cleanup again later, or delete these by hand; the next run removes what is older '
            'than %s hours' % config.leftovers_older_than_hours
        )
    return 1 if problems else 0


def probe(args):
    config = config_file.load(args.config, args.dry_run)
    if config_file.run_id_of(args.run_id) != args.run_id:
        raise config_file.ConfigError('--run-id', 'not a run id: %r' % (args.run_id,))
    settings = selected_clouds(config, args.cloud)[0]
    found = make_cloud(settings, config, CallLog(args.dry_run), args.dry_run, args.run_id).probe(
        args.run_id, args.disk_id, args.copy_id
    )
    note('%s: finding: %s' % (settings.name, found['finding']))
    print(json.dumps(found))
    if 'failure' in found:
        raise SetupError(found['failure'])
    return 0


def parser():
    top = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    commands = top.add_subparsers(dest='command', required=True)
    command = commands.add_parser('opt-in')
    command.add_argument('integration_config')
    command.add_argument('key', choices=('config', 'dry_run'))
    command.set_defaults(run=opt_in)
    commands.add_parser('new-run-id').set_defaults(run=new_run_id)
    for name, run in (
        ('check', check),
        ('setup', setup),
        ('cleanup', cleanup),
        ('cleanup-leftovers', cleanup_leftovers),
        ('probe', probe),
    ):
        command = commands.add_parser(name)
        command.add_argument('config')
        command.add_argument('--dry-run', action='store_true', help='print the calls, make none')
        if name in ('setup', 'cleanup', 'probe'):
            command.add_argument('--run-id', required=True)
            command.add_argument(
                '--cloud', choices=sorted(PROBED if name == 'probe' else CLOUDS), required=name != 'cleanup'
            )
        if name == 'probe':
            command.add_argument('--disk-id', required=True, help="the run's disk (setup's disk_id)")
            command.add_argument('--copy-id', required=True, help="the run's DR copy (the copy module's snapshot_id)")
        if name == 'cleanup-leftovers':
            command.add_argument('--older-than-hours', type=float)
        command.set_defaults(run=run)
    return top


def main(argv):
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except config_file.ConfigError as error:
        note('real_account: config error: %s' % error)
        return 2
    except (ApiError, SetupError, SdkMissing) as error:
        note('real_account: %s failed: %s' % (args.command, error))
        return 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))

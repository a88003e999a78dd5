# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The dr_scopes inventory: the DR scopes of every account of an organisation (the documentation below; the rules are in
plugin_utils/_dr_scopes.py, the clouds' reads in module_utils/clouds/<vendor>/organization.py)."""

from __future__ import annotations

DOCUMENTATION = r'''
name: dr_scopes
short_description: The DR scopes of every account of an organisation, found by itself
version_added: 0.1.0
description:
  - Builds the inventory group C(dr_scopes) that the fleet playbook C(snapcopy.cloud.dr_fleet) runs the
    C(snapcopy.cloud.dr_copy) role for, from the organisation itself. AWS Organizations for provider V(aws), Alibaba Cloud
    Resource Directory for V(ecs) and V(ens), Tencent Cloud Organization for V(cbs).
  - Each active account that the include and exclude rules keep is one scope in each source region. Its host has the
    role's variables C(dr_copy_provider), C(dr_copy_source_region), C(dr_copy_dr_regions), C(dr_copy_connection) (the role
    to assume in the account, from O(role)), the variables of O(vars), and those O(tag_vars) takes from the account's
    tags. It also has C(dr_fleet_account) and C(dr_scope_account) (the account's C(id), C(name), C(units) and C(tags)),
    for O(compose), O(groups) and O(keyed_groups).
  - An account that is suspended, closed or not yet active (on AWS, its C(State)), a Tencent Cloud member whose
    C(PermissionStatus) is not C(Confirmed), or an account that a rule leaves out, gets no scope, and the inventory says
    why. A read in which no account has a state fails, rather than give an empty fleet. The group C(dr_scopes) has the
    variable C(dr_organization_<provider>_<management account>), the record of every account of the organisation, with
    its scopes or why it has none. The fleet report lists the accounts without a scope from it.
  - The read is the organisation's management account's (or a delegated administrator's), with the credentials of the
    environment as AWX's credential types inject them (E(AWS_ACCESS_KEY_ID), E(ALICLOUD_ACCESS_KEY),
    E(TENCENTCLOUD_SECRET_ID), ...), or O(connection). It changes nothing.
  - "Calls: AWS: C(DescribeOrganization) and C(ListAccounts) (20 accounts a call); with unit rules, C(ListRoots),
    C(ListOrganizationalUnitsForParent) and C(ListAccountsForParent) for each unit; with tag rules or O(tag_vars),
    C(ListTagsForResource) for each account, as Organizations lists no tags with its accounts (also when O(compose),
    O(groups) or O(keyed_groups) read C(dr_scope_account.tags)); C(DescribeRegions) when
    O(regions) is not set. Alibaba Cloud: C(GetResourceDirectory) and C(ListAccounts) (100 accounts a call, their tags and
    folders with them); with unit rules, C(ListFoldersForParent) for each folder. Tencent Cloud: C(DescribeOrganization)
    and C(DescribeOrganizationMembers) (50 a call, with their tags); with unit rules, C(DescribeOrganizationNodes)."
  - Reads are retried under throttling as the modules' are. With O(cache), the read is kept by Ansible's inventory cache.
author:
  - snapcopy.cloud developers (@snapcopy)
extends_documentation_fragment:
  - ansible.builtin.constructed
  - ansible.builtin.inventory_cache
  - snapcopy.cloud.dr_connection.provider
options:
  plugin:
    description: The name of this plugin. The file's name ends in C(dr_scopes.yml) or C(dr_scopes.yaml).
    type: str
    required: true
    choices: [snapcopy.cloud.dr_scopes]
  provider:
    description:
      - The disks the scopes look after, as the role's C(dr_copy_provider). The organisation read is that cloud's.
  connection:
    description:
      - The connection options of the management account, as M(snapcopy.cloud.dr_sync) takes them for O(provider)
        (C(endpoint_url), C(profile), C(role_arn), C(alicloud_assume_role_arn), C(validate_certs), timeouts, ...). Keys
        and secrets are best left to the environment; each option falls back to its environment variables as the
        modules' do.
    type: dict
    default: {}
  regions:
    description:
      - The source regions. Each account kept has one scope in each.
      - On AWS, the regions enabled for the management account (EC2 C(DescribeRegions)) when not set; required on the
        other clouds.
    type: list
    elements: str
  dr_regions:
    description:
      - Each scope's C(dr_copy_dr_regions). A list, the same for every source region (a scope never names its own region),
        or a mapping of a source region to its list. An account's tag named in O(tag_vars) overrides it.
    type: raw
  role:
    description:
      - The role the scope assumes in its account, with C({account}) standing for the account's id, as
        V(arn:aws:iam::{account}:role/snapcopy-dr), V(acs:ram::{account}:role/snapcopy-dr) or
        V(qcs::cam::uin/{account}:roleName/snapcopy-dr). It goes in each scope's C(dr_copy_connection).
      - Without it, every scope acts with the job's own credentials, which reach one account only.
    type: str
  include:
    description:
      - Only the accounts these rules name. C(accounts), a list of account ids; C(units), a list of organisational units
        (an AWS OU, an Alibaba Cloud folder, a Tencent Cloud node), each an id or a name, the units below them included;
        C(tags), a mapping of tag keys to values (V(null) for any value), all of which an account must have.
    type: dict
    default: {}
  exclude:
    description:
      - No scope for the accounts these rules name, whatever O(include) says. C(accounts), C(units) as in O(include);
        C(tags), a mapping of which any one tag leaves an account out.
    type: dict
    default: {}
  vars:
    description:
      - The variables of every scope (the role's C(dr_copy_*), as C(dr_copy_tag_selector) or
        C(dr_copy_max_snapshot_age_hours)). O(tag_vars) and the scope's own variables override them.
    type: dict
    default: {}
  tag_vars:
    description:
      - "Variables taken from the account's tags, a mapping of a variable to a tag key, as
        V({dr_copy_dr_regions: dr-regions, dr_copy_max_snapshot_age_hours: dr-rpo-hours}). The value is passed as text,
        as an AWX survey passes it, and the role reads it (V(us-west-2 eu-west-1), V(backup=dr), V(24))."
    type: dict
    default: {}
  host_name:
    description:
      - The name of each scope's host, from C({provider}), C({account}), C({name}) (the account's name, other characters
        than letters, digits, C(.), C(_) and C(-) as C(_)) and C({region}). It names the scope's report files.
    type: str
    default: '{provider}-{account}-{region}'
  group:
    description: The group of the scopes (the fleet playbook runs C(dr_scopes)). Each scope is also in a group named after
      O(provider).
    type: str
    default: dr_scopes
'''

EXAMPLES = r'''
# org.dr_scopes.yml: every active account of the AWS organisation but the sandbox OU, in two regions, through the role
# each account has for DR; an account's tag dr-regions overrides its DR regions.
plugin: snapcopy.cloud.dr_scopes
provider: aws
regions: [us-east-1, eu-west-1]
dr_regions:
  us-east-1: [us-west-2]
  eu-west-1: [eu-central-1]
role: arn:aws:iam::{account}:role/snapcopy-dr
exclude:
  units: [Sandbox]
  tags: {dr: opt-out}
vars:
  dr_copy_tag_selector: {backup: dr}
  dr_copy_max_snapshot_age_hours: 24
  dr_copy_connection_defaults: {role_session_name: snapcopy-dr}
tag_vars:
  dr_copy_dr_regions: dr-regions
keyed_groups:
  - key: dr_scope_account.tags.team | default('none')
    prefix: team

# alibaba.dr_scopes.yml: the prod folder of the resource directory, with the read kept an hour.
plugin: snapcopy.cloud.dr_scopes
provider: ecs
regions: [cn-hangzhou]
dr_regions: [cn-shanghai]
role: acs:ram::{account}:role/snapcopy-dr
include:
  units: [prod]
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/snapcopy-dr-scopes
cache_timeout: 3600

# tencent.dr_scopes.yml: the members tagged for DR.
plugin: snapcopy.cloud.dr_scopes
provider: cbs
regions: [ap-guangzhou]
dr_regions: [ap-shanghai]
role: qcs::cam::uin/{account}:roleName/snapcopy-dr
include:
  tags: {dr: null}
'''


from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.snapcopy.cloud.plugins.plugin_utils._dr_scopes import (
    ScopeSettingsError,
    plan_scopes,
    record_variable,
)
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._org_read import (
    OrganizationFound,
    ReadError,
    read_settings,
    read_the_organization,
)


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    NAME = 'snapcopy.cloud.dr_scopes'

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(('dr_scopes.yml', 'dr_scopes.yaml'))

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        try:
            settings = read_settings(self.get_option)
            found = self._cached_read(path, settings, cache)
            scopes, record = plan_scopes(found.organization, settings, found.regions)
        except (ScopeSettingsError, ReadError) as error:
            raise AnsibleParserError('%s: %s' % (path, error)) from None
        self._populate(settings, scopes, record)

    def _cached_read(self, path, settings, cache):
        """The organisation's read: from Ansible's inventory cache when it holds this file's (``cache`` and O(cache)),
        else from the cloud, kept in the cache when O(cache) is on."""
        key = self.get_cache_key(path)
        use_cache = self.get_option('cache')
        if use_cache and cache:
            try:
                return OrganizationFound.from_cache(self._cache[key])
            except KeyError:
                pass
        found = read_the_organization(settings)
        if use_cache:
            self._cache[key] = found.to_cache()
        return found

    def _populate(self, settings, scopes, record):
        group = self.inventory.add_group(settings['group'])
        provider_group = self.inventory.add_group(settings['provider'])
        self.inventory.add_child(group, provider_group)
        self.inventory.set_variable(group, record_variable(record), record)
        strict = self.get_option('strict')
        for name, variables in scopes:
            host = self.inventory.add_host(name, group=provider_group)
            for variable, value in variables.items():
                self.inventory.set_variable(host, variable, value)
            host_vars = self.inventory.get_host(host).get_vars()
            self._set_composite_vars(self.get_option('compose'), host_vars, host, strict=strict)
            self._add_host_to_composed_groups(self.get_option('groups'), host_vars, host, strict=strict)
            self._add_host_to_keyed_groups(self.get_option('keyed_groups'), host_vars, host, strict=strict)

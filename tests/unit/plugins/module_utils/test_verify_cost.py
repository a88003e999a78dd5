"""What verifying a copy costs (issue 61, 7): the EBS direct APIs' requests, and the data transfer of the blocks read
from outside their region, which the requests' price leaves out. The figures of docs/verify.md's table, per TiB."""

from __future__ import annotations

import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.verify import verify_cost
from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.dr_module import verify_settings

TIB_BLOCKS = 2097152  # 512 KiB blocks of a fully written TiB


@pytest.mark.parametrize(
    ('verify', 'usd', 'one_region', 'outside'),
    [
        (16, 0.00035, 0.00016, 0.0014),
        (256, 0.0018, 0.0025, 0.0225),
        (4096, 0.025, 0.04, 0.36),
        ('full', 12.58, 20.48, 184.32),
    ],
)
def test_the_cost_of_a_tib_is_the_requests_and_the_data_transfer(verify, usd, one_region, outside):
    cost = verify_cost(verify_settings(verify), TIB_BLOCKS)
    assert cost.list_calls == 420
    assert cost.usd == pytest.approx(usd, rel=0.05)
    transfer = cost.transfer_usd()
    # On EC2 in one of the two regions, one side's blocks cross regions; outside AWS, both sides leave AWS.
    assert transfer['in_source_region'] == transfer['in_dr_region'] == pytest.approx(one_region, rel=0.05)
    assert transfer['outside_aws'] == pytest.approx(outside, rel=0.05)
    assert cost.as_result()['transfer_usd'] == transfer

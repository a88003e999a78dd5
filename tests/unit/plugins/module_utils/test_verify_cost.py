"""What verifying a copy costs (issue 61, 7): the EBS direct APIs' requests, and the data transfer of the blocks read
from outside their region, which the requests' price leaves out. The figures of docs/verify.md's table, per TiB."""

from __future__ import annotations

import pathlib

import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.verify import verify_cost
from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.dr_module import verify_settings

TIB_BLOCKS = 2097152  # 512 KiB blocks of a fully written TiB


# docs/verify.md's table "Cost per TiB": verify, requests, transfer from EC2 in one of the two regions, from outside AWS.
TABLE = [
    (16, 0.00035, 0.00016, 0.0014),
    (256, 0.0018, 0.0025, 0.0225),
    (4096, 0.025, 0.04, 0.36),
    ('full', 12.58, 20.48, 184.32),
]


def test_the_docs_table_gives_these_figures():
    page = (pathlib.Path(__file__).parents[4] / 'docs' / 'verify.md').read_text(encoding='utf-8')
    rows = [line.split('|')[1:-1] for line in page.split('## Cost per TiB')[1].split('\n## ')[0].splitlines()]
    figures = [
        [cell.strip().replace(',', '').lstrip('$') for cell in row]
        for row in rows
        if row and (row[0].strip().replace(',', '').isdigit() or row[0].strip() == 'full')
    ]
    assert [
        (int(row[0]) if row[0].isdigit() else row[0], float(row[4]), float(row[5]), float(row[6])) for row in figures
    ] == TABLE


@pytest.mark.parametrize(('verify', 'usd', 'one_region', 'outside'), TABLE)
def test_the_cost_of_a_tib_is_the_requests_and_the_data_transfer(verify, usd, one_region, outside):
    cost = verify_cost(verify_settings(verify), TIB_BLOCKS)
    assert cost.list_calls == 420
    assert cost.usd == pytest.approx(usd, rel=0.05)
    transfer = cost.transfer_usd()
    # On EC2 in one of the two regions, one side's blocks cross regions; outside AWS, both sides leave AWS.
    assert transfer['in_source_region'] == transfer['in_dr_region'] == pytest.approx(one_region, rel=0.05)
    assert transfer['outside_aws'] == pytest.approx(outside, rel=0.05)
    assert cost.as_result()['transfer_usd'] == transfer

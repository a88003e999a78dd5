"""Default credentials the emulator accepts; tests and playbooks import these."""

from __future__ import annotations

ALIBABA_ACCESS_KEY_ID = 'LTAIfakecloudTEST01'
ALIBABA_ACCESS_KEY_SECRET = 'fakecloud-alibaba-secret-0001'

# An STS triple: keys starting with "STS." are only honoured with the matching SecurityToken.
ALIBABA_STS_ACCESS_KEY_ID = 'STS.fakecloudTEST01'
ALIBABA_STS_ACCESS_KEY_SECRET = 'fakecloud-alibaba-sts-secret-0001'
ALIBABA_STS_SECURITY_TOKEN = 'fakecloud-alibaba-sts-token-0001'

TENCENT_SECRET_ID = 'AKIDfakecloudTEST01'
TENCENT_SECRET_KEY = 'fakecloud-tencent-secret-0001'

# Temporary Tencent credentials: the X-TC-Token header must carry the token.
TENCENT_TMP_SECRET_ID = 'AKIDfakecloudTEMP01'
TENCENT_TMP_SECRET_KEY = 'fakecloud-tencent-tmp-secret-0001'
TENCENT_TMP_TOKEN = 'fakecloud-tencent-token-0001'

# The account id echoed in Tencent six-segment resource names (qcs::cvm:REGION:uin/UIN:snapshot/ID).
TENCENT_UIN = '100012345678'
# The Alibaba Cloud account (UID) the default credentials belong to.
ALIBABA_ACCOUNT_ID = '1234567890123456'

# Roles configured by default, each in a second account: one the default credentials may assume, one
# they may not (its trust policy names nobody).
ALIBABA_DR_ACCOUNT_ID = '2345678901234567'
ALIBABA_DR_ROLE_ARN = 'acs:ram::%s:role/snapcopy-dr' % ALIBABA_DR_ACCOUNT_ID
ALIBABA_LOCKED_ROLE_ARN = 'acs:ram::%s:role/locked' % ALIBABA_DR_ACCOUNT_ID
TENCENT_DR_UIN = '200012345678'
TENCENT_DR_ROLE_ARN = 'qcs::cam::uin/%s:roleName/snapcopy-dr' % TENCENT_DR_UIN
TENCENT_LOCKED_ROLE_ARN = 'qcs::cam::uin/%s:roleName/locked' % TENCENT_DR_UIN
# A role whose trust policy also asks for an external id (as a role a third party assumes does).
ALIBABA_EXTERNAL_ROLE_ARN = 'acs:ram::%s:role/vendor-dr' % ALIBABA_DR_ACCOUNT_ID
TENCENT_EXTERNAL_ROLE_ARN = 'qcs::cam::uin/%s:roleName/vendor-dr' % TENCENT_DR_UIN
ROLE_EXTERNAL_ID = 'snapcopy-external-0001'
# KMS keys of the default Alibaba account (config.kms_keys): ECS's service key, which a snapshot shared with another
# account may not be encrypted with, and a key of the account's own.
ECS_SERVICE_KEY_ID = '0b8a1c2d-0000-4000-8000-ec5e5e5e0001'
ECS_CUSTOMER_KEY_ID = '0b8a1c2d-0000-4000-8000-c0570000e001'
# Keys of the DR accounts themselves (their own, not a role's session): a member of the seeded resource directory or
# organisation (organizations.py) that is not its management account, so its lists are refused.
ALIBABA_MEMBER_ACCESS_KEY_ID = 'LTAIfakecloudMEMBER1'
ALIBABA_MEMBER_ACCESS_KEY_SECRET = 'fakecloud-alibaba-member-secret-0001'
TENCENT_MEMBER_SECRET_ID = 'AKIDfakecloudMEMBER1'
TENCENT_MEMBER_SECRET_KEY = 'fakecloud-tencent-member-secret-0001'
# A role of the disks' own Alibaba account (a DR role that protects nothing: the DR run refuses it).
ALIBABA_OWN_ROLE_ARN = 'acs:ram::%s:role/own-dr' % ALIBABA_ACCOUNT_ID


def default_roles() -> dict:
    """Role ARN -> the accounts that may assume it, per vendor."""
    return {
        'alibaba': {
            ALIBABA_DR_ROLE_ARN: {'trusted': [ALIBABA_ACCOUNT_ID]},
            ALIBABA_LOCKED_ROLE_ARN: {'trusted': []},
            ALIBABA_OWN_ROLE_ARN: {'trusted': [ALIBABA_ACCOUNT_ID]},
            ALIBABA_EXTERNAL_ROLE_ARN: {'trusted': [ALIBABA_ACCOUNT_ID], 'external_id': ROLE_EXTERNAL_ID},
        },
        'tencent': {
            TENCENT_DR_ROLE_ARN: {'trusted': [TENCENT_UIN]},
            TENCENT_LOCKED_ROLE_ARN: {'trusted': []},
            TENCENT_EXTERNAL_ROLE_ARN: {'trusted': [TENCENT_UIN], 'external_id': ROLE_EXTERNAL_ID},
        },
    }


def default_credentials() -> dict:
    """The credential table in the shape the config file and /_admin/config use."""
    return {
        'alibaba': [
            {'access_key_id': ALIBABA_ACCESS_KEY_ID, 'access_key_secret': ALIBABA_ACCESS_KEY_SECRET},
            {
                'access_key_id': ALIBABA_STS_ACCESS_KEY_ID,
                'access_key_secret': ALIBABA_STS_ACCESS_KEY_SECRET,
                'security_token': ALIBABA_STS_SECURITY_TOKEN,
            },
            {
                'access_key_id': ALIBABA_MEMBER_ACCESS_KEY_ID,
                'access_key_secret': ALIBABA_MEMBER_ACCESS_KEY_SECRET,
                'account': ALIBABA_DR_ACCOUNT_ID,
            },
        ],
        'tencent': [
            {'secret_id': TENCENT_SECRET_ID, 'secret_key': TENCENT_SECRET_KEY},
            {'secret_id': TENCENT_TMP_SECRET_ID, 'secret_key': TENCENT_TMP_SECRET_KEY, 'token': TENCENT_TMP_TOKEN},
            {'secret_id': TENCENT_MEMBER_SECRET_ID, 'secret_key': TENCENT_MEMBER_SECRET_KEY, 'account': TENCENT_DR_UIN},
        ],
    }

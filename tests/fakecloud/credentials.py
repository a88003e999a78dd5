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


def default_credentials() -> dict:
    """The credential table in the shape the config file and /_admin/config use."""
    return {
        'alibaba': [
            {'access_key_id': ALIBABA_ACCESS_KEY_ID, 'access_key_secret': ALIBABA_ACCESS_KEY_SECRET},
            {'access_key_id': ALIBABA_STS_ACCESS_KEY_ID, 'access_key_secret': ALIBABA_STS_ACCESS_KEY_SECRET,
             'security_token': ALIBABA_STS_SECURITY_TOKEN},
        ],
        'tencent': [
            {'secret_id': TENCENT_SECRET_ID, 'secret_key': TENCENT_SECRET_KEY},
            {'secret_id': TENCENT_TMP_SECRET_ID, 'secret_key': TENCENT_TMP_SECRET_KEY, 'token': TENCENT_TMP_TOKEN},
        ],
    }

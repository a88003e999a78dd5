"""What a handler gets: the parsed request and the store, plus what it reports back."""

from __future__ import annotations

from .accounts import VENDOR, AccountStore


class Call:
    """One API call being handled (always under the store lock)."""

    def __init__(
        self, store, cloud: str, action: str, params: dict, region: str | None, now: float, account: str | None = None
    ):
        # The caller's account: its resources are all the handler sees (accounts.AccountStore).
        self.account = account
        self.store = AccountStore(store, account, VENDOR[cloud]) if account else store
        self.cloud = cloud
        self.action = action
        self.params = params
        self.region = region
        self.now = now
        self.mutated = False  # set by handlers that changed state (a ClientToken replay does not)
        self.log_region = region

    def changed(self, region: str | None = None) -> None:
        self.mutated = True
        if region:
            self.log_region = region

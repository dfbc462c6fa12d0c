"""A fleet of consoles on one database: background work once per fleet, upstream calls shared.

- leases.py      each background job (balance snapshots, settling, callback verification) runs in
                 one process at a time; a dead leader's job is taken over within TAKEOVER_WITHIN
- answers.py     `/ibans` at most once a minute for the whole fleet, the answer shared in the store
- generation.py  a payout on one replica drops the cached balances and history of all of them

No Streamlit: `dashboard.services` builds one of each per process, `data_access` and
`dashboard.background` use them. The atomic steps are in `dashboard.store.fleet`.
"""

from dashboard.fleet.answers import MAX_AGE, SharedAnswer, ibans_from_json, ibans_to_json
from dashboard.fleet.generation import GenerationWatch
from dashboard.fleet.leases import (
    LEASE_TTL,
    RENEW_EVERY,
    TAKEOVER_WITHIN,
    Lease,
    LeasedJob,
    LeaseKeeper,
    TableLease,
    holder_id,
    open_lease,
)

__all__ = [
    "LEASE_TTL",
    "MAX_AGE",
    "RENEW_EVERY",
    "TAKEOVER_WITHIN",
    "GenerationWatch",
    "Lease",
    "LeaseKeeper",
    "LeasedJob",
    "SharedAnswer",
    "TableLease",
    "holder_id",
    "ibans_from_json",
    "ibans_to_json",
    "open_lease",
]

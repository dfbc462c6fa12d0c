"""The notification outbox. One row per message (its id is the idempotency key: the same state
change enqueued twice is one message), one delivery per message and channel (email, webhook): its
state, attempts, the next try (backoff), the claim of the process sending it, the last error.
Plain SQL both engines accept (see migrations.py)."""

NOTIFICATION_TABLES: tuple[str, ...] = (
    """CREATE TABLE notifications (
        id TEXT PRIMARY KEY, kind TEXT NOT NULL, subject TEXT NOT NULL, body TEXT NOT NULL,
        html TEXT, payload_json TEXT NOT NULL, created_at TEXT NOT NULL
    )""",
    """CREATE TABLE notification_deliveries (
        notification_id TEXT NOT NULL, channel TEXT NOT NULL, state TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at TEXT NOT NULL, claimed_by TEXT,
        claim_expires_at TEXT, last_error TEXT, sent_at TEXT, updated_at TEXT NOT NULL,
        PRIMARY KEY (notification_id, channel)
    )""",
    "CREATE INDEX notification_deliveries_due ON notification_deliveries (state, next_attempt_at)",
)

"""The alerts' tables (one migration of `dashboard.store.migrations`, kept here so that file stays
short): each alert's state per condition and subject (compare-and-set on `version`, so two evaluators
record one transition), the history of its transitions (each handed to delivery once: `handed_at`, claimed
by one evaluator until `claimed_until_at`), the balance thresholds per IBAN, and the
upstream API's health as the background jobs' calls saw it (shared, so the fleet agrees).
Plain SQL both engines accept (see migrations.py)."""

ALERT_TABLES: tuple[str, ...] = (
    """CREATE TABLE alert_states (
        alert_key TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        subject TEXT NOT NULL,
        state TEXT NOT NULL,
        version INTEGER NOT NULL,
        changed_at TEXT NOT NULL,
        title TEXT NOT NULL,
        detail TEXT NOT NULL,
        details_json TEXT,
        acknowledged_by TEXT,
        acknowledged_at TEXT
    )""",
    "CREATE INDEX alert_states_state ON alert_states (state, changed_at)",
    """CREATE TABLE alert_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        alert_key TEXT NOT NULL,
        kind TEXT NOT NULL,
        subject TEXT NOT NULL,
        state TEXT NOT NULL,
        version INTEGER NOT NULL,
        changed_at TEXT NOT NULL,
        title TEXT NOT NULL,
        detail TEXT NOT NULL,
        details_json TEXT,
        handed_at TEXT,
        claimed_until_at TEXT,
        UNIQUE (alert_key, version)
    )""",
    "CREATE INDEX alert_events_changed ON alert_events (changed_at)",
    "CREATE INDEX alert_events_unhanded ON alert_events (handed_at, id)",
    """CREATE TABLE alert_thresholds (
        iban_id INTEGER PRIMARY KEY,
        threshold_kurus INTEGER NOT NULL,
        margin_kurus INTEGER,
        updated_at TEXT NOT NULL,
        updated_by TEXT NOT NULL
    )""",
    """CREATE TABLE upstream_health (
        name TEXT PRIMARY KEY,
        last_ok_at TEXT,
        failing_since_at TEXT,
        last_failed_at TEXT,
        last_error TEXT
    )""",
)

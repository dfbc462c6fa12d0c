"""What ../shared/API.md documents, as the tests check it."""

# The fields of one transaction record (GET /transactions), in the documented order.
TRANSACTION_FIELDS = (
    "id",
    "iban_id",
    "type",
    "amount",
    "commission",
    "status",
    "username",
    "customer_name",
    "customer_iban",
    "description",
    "created_at",
    "completed_at",
)

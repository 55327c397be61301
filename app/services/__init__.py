"""Domain rules. Services validate, change state and write the audit event; they flush,
and the caller (a view or command) commits once."""

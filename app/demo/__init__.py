"""Demo accounts for `make run` and bulk data for the benchmark; no page imports it."""

"""People and places: user accounts, passwords, API tokens, organisations and cohorts."""

"""The pre-registration pathway: eligibility, the training log and programme status."""

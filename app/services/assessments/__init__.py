"""Assessment requests ("tickets"): an assessor without an account completes the
assessor's part of a trainee's evidence through a one-time link, after confirming who
they are with a code e-mailed to the address the trainee gave.

- `parts`: which answers are the assessor's, and what of the portfolio they may see.
- `requests`: asking, withdrawing, listing, and the limits on asking.
- `identity`: the e-mailed 6-digit code.
- `completion`: the assessor's submission, the lock on it, and what a reader is told.
- `assessment_mail`: the e-mails, plain text that reads well aloud.
"""

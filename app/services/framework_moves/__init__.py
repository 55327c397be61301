"""Moving trainees between framework versions, and the gap analysis their supervisor signs."""

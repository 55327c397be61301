"""In-app notifications, their count in the header, and e-mail delivery after commit."""

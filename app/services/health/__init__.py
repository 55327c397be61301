"""Is this server ready for traffic: the checks behind `GET /readyz`."""

"""Work that outlasts a web request: the queue (RQ on Redis, or at once without one),
exports prepared in the background, and the daily digest run by a worker."""

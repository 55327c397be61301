"""The app as gunicorn serves it for the benchmark (`wsgi:app` itself), plus one thing: SQL
statements counted per request. Production never loads this module.

Each response carries `X-Bench-Queries` (statements run before the response started, so
everything for a page). Streamed downloads run more queries while they stream: when
`BENCH_QUERY_LOG` names a file, each request's final count is appended to it as a JSON
line once the response has been sent.
"""

from __future__ import annotations

import json
import os
import re

from flask import g, has_request_context, request
from sqlalchemy import event

from app.extensions import db
from wsgi import app

# Transaction control is not a query (the test suite's count_queries skips it too).
NOT_A_QUERY = re.compile(r"\s*(SAVEPOINT|RELEASE|BEGIN|PRAGMA)", re.IGNORECASE)

_log_path = os.environ.get("BENCH_QUERY_LOG")

with app.app_context():

    @event.listens_for(db.engine, "before_cursor_execute")
    def _count(_conn, _cursor, statement, *_args) -> None:
        if has_request_context() and not NOT_A_QUERY.match(statement):
            g.bench_queries = g.get("bench_queries", 0) + 1


@app.after_request
def _queries_header(response):
    response.headers["X-Bench-Queries"] = str(g.get("bench_queries", 0))
    if _log_path:
        # A streamed body runs in the same `g`, after this: log once the server closes it.
        state = g._get_current_object()
        line = {"method": request.method, "path": request.full_path.rstrip("?")}

        def log() -> None:
            with open(_log_path, "a", encoding="utf-8") as out:
                out.write(json.dumps({**line, "queries": getattr(state, "bench_queries", 0)}))
                out.write("\n")

        response.call_on_close(log)
    return response

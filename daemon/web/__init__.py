"""The staff console in the browser: the queue, the case, the report (issue 17).

Server-rendered pages (Jinja2, templates/web/) on Starlette, served by uvicorn, either
alone (`oo-support web`) or on the daemon's own event loop (`[web] enabled` in `run`).
It reads through App.reads and acts through App.work, the same code as the CLI.
"""

"""Mail in and out: parsing, composing, rendering, quotes, delivery reports."""

# A mail this large takes the memory-saving paths (benchmarks/backlog_memory):
# IMAP fetches it in chunks into a temporary file (spooled.py), the parser does not see
# its big base64 bodies, and its raw bytes go into PostgreSQL by COPY. Below it, the
# plain paths are faster.
LARGE_MAIL_BYTES = 4 * 1024 * 1024


class ParseError(Exception):
    """The mail cannot become a case; the message says why."""

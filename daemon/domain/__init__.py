"""Pure business rules: no I/O, no clock reads (STYLE.md)."""

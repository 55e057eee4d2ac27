"""Benchmarks of oo-support: a mail corpus and the raw ingestion floor."""

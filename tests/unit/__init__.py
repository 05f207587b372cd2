"""Unit tests: pure Python, no chain (mechanism, round file, harness, CLI)."""

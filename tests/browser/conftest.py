"""Browser tests use the session-wide ``browser`` and ``page`` fixtures of tests/conftest.py."""

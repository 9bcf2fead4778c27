"""Persistence on SQLAlchemy 2 (async): SQLite by default, PostgreSQL by the same code."""

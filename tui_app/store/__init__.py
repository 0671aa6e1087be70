"""Conversations kept in SQLite, and their exports."""

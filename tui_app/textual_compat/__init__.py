"""Every use of a private Textual API, a small function or mixin each, grouped by what it is for; each says
which Textual internal it relies on and why. tests/test_textual_compat.py checks each against the installed
Textual (pinned exactly in pyproject.toml) and fails loudly, naming the hook, when a release changes it."""

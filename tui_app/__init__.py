"""claude-tui: talk to Claude in the terminal and watch the stream itself."""

__version__ = "0.1.0"

"""Theme files shipped with claude-tui, one TOML file per theme."""

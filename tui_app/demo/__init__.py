"""The built-in demo backend: a loopback server that speaks the Messages streaming protocol."""

"""Every use of a private Textual API, one module each, each with a contract test in tests/ that fails
loudly when a Textual release changes what it relies on."""

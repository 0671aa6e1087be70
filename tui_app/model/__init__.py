"""The app's data model: conversations and their turns, the Messages API content they carry, and how a
reply ended, described once for every place that says it. Imports the stream core, never Textual."""

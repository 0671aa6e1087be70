"""The streaming core: requests, wire events, replies and timings. Nothing here imports Textual."""

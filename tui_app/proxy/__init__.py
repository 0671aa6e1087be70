"""The inspecting proxy: passes another client's requests to its server and lets the app watch the answers."""

"""The embedded local backend: a server speaking the v2 REST API and the engine behind it."""

"""The root of the package's exception family (no imports, so every layer can use it)."""


class LlamaExtractError(Exception):
    """Base of every error the package raises: catch it to catch them all."""

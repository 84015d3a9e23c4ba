"""delaynote: draft, check and rewrite notices that tell a client their project is late."""

__version__ = "0.1.0"

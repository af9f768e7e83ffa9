"""oint-py: OPI's `oint bitrix24 ...` commands, re-implemented in Python."""

__version__ = "0.1.0"

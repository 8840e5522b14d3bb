"""API models (pydantic): inputs refuse unknown fields, everything is camelCase on the wire."""

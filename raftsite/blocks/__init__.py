"""Scene blocks: the option schema and its validator."""

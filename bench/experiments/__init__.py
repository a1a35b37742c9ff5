"""Measured experiments behind the recommendations for the engine (not used by kbcheck itself)."""

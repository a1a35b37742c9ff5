"""Ports of the compiled KB to other rule engines, measured side by side with kbcheck's."""

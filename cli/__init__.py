"""The kbcheck command line: click commands only; the work is done in engine/ and explain/."""

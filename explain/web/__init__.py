"""`kbcheck serve`: the case as a form in a browser, its conclusions live, each one explained on a
click, and a JSON API beside the page that answers as the CLI's --json does.

Entirely offline: the page's script (htmx, vendored in static/) and style are package data.
"""

from .app import create_app

__all__ = ["create_app"]

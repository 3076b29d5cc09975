"""GB/T 9704 rendering: Jinja templates + WeasyPrint, real Chinese fonts (see typesetting.md)."""

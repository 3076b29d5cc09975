"""GB/T 9704 rendering: Jinja templates + WeasyPrint, real Chinese fonts (see typesetting.md).

Importing this package first makes WeasyPrint load its C declarations precompiled (the
`precompiled-ffi` adaptation of `weasy_compat`, which must be in place before WeasyPrint is imported)."""
from pipeline.render import weasy_compat

weasy_compat.before_import()

"""GB/T 9704 rendering: Jinja templates + WeasyPrint, real Chinese fonts (see typesetting.md).

Importing this package first makes WeasyPrint load its C declarations precompiled (`fast_ffi`)."""
from pipeline.render import fast_ffi

fast_ffi.install()

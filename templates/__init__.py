"""Package marker: the wheel ships this folder as `pipeline.templates` (see setup.py); the renderer
finds it with importlib.resources, so it works from a checkout and when installed. Templates only."""

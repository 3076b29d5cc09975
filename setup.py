"""Package layout that pyproject.toml cannot express declaratively: the top-level `templates/` folder
(the team's named layout) ships inside the wheel as the package `pipeline.templates`.
Everything else (metadata, dependencies, package data) is in pyproject.toml."""
from setuptools import find_packages, setup

setup(packages=[*find_packages(include=["pipeline", "pipeline.*"]), "pipeline.templates"],
      package_dir={"pipeline.templates": "templates"})

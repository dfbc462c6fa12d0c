"""The page scripts, one per page (console.py registers them from dashboard/ui/pages.py).

A package only so that import-linter can check what the pages import (pyproject.toml); Streamlit
runs each script by its path, never by importing this package.
"""

"""Sphinx configuration for sockffi's documentation."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "_ext"))

import sockffi

project = "sockffi"
author = "the sockffi developers"
copyright = "2026, the sockffi developers"
release = version = sockffi.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
    "sphinx.ext.intersphinx",
    "sockffi_tables",
]
html_theme = "furo"
html_static_path = ["_static"]
html_title = f"sockffi {release}"
exclude_patterns = ["_build", "_generated", "recipes", "examples"]
autodoc_member_order = "bysource"
autodoc_typehints = "signature"  # the overloads of listen_tcp say it best; no parameter lists from implementations
# A Server or Connection is generic in its address (A): what users see is the address type itself.
autodoc_type_aliases = {
    "Address": "sockffi.types.Address",
    "FileDescriptor": "sockffi.types.FileDescriptor",
    "A": "sockffi.types.Address",
}
# No network in CI: Python's inventory is not fetched; std types render as plain text.
intersphinx_mapping: dict[str, tuple[str, str | None]] = {}
nitpicky = False
doctest_global_setup = "import sockffi"

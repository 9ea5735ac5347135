"""secreview_ls: a security reviewer for Python — language server, CLI and SARIF."""

__version__ = "0.1.0"

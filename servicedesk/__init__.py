"""One-window enterprise service desk with incubator credit scoring."""

__version__ = "0.1.0"

"""p2pshare: the member's node, store, trust and command line (no UI code here)."""

__version__ = "0.1.0"

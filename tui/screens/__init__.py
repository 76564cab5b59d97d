"""The app's screens. Each receives the node (a NodePort) in its constructor."""

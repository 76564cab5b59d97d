"""The app's screens. Each receives the NodeAPI in its constructor."""

"""The p2pshare app: a Textual front end that talks only to p2pshare.service.api.NodeAPI."""

"""The p2pshare app: a Textual front end written against p2pshare.service.port.NodePort.

launch.py builds the real node (a NodeAPI) and hands it in; tests hand in a fake.
"""

"""The libp2p side of the node: one concept per module, libp2p types stay in here.

- host.py       the libp2p host (TCP, Noise, Yamux) and every py-libp2p 0.8.1 workaround
                that concerns it, including logging
- gossip.py     GossipSub settings, the topic validator, flood control and scoring
- framing.py    length-prefixed frames over a libp2p stream, batched writes
- sync_stream.py catch-up sync over /p2pshare/sync/1.0.0 (carries p2pshare/reconcile.py)
- peer_exchange.py  where a peer listens and whom it knows, over /p2pshare/peers/1.0.0
- invite.py     invite strings and peer address parsing (no libp2p import)
- discovery.py  bootstrap config, remembered peers with redial backoff, mDNS
"""

"""The libp2p side of the node: one concept per module, libp2p types stay in here.

Composition
- node.py         the node: builds the parts below for one home and runs them (small root)
- config.py       NodeConfig: every setting of the node, with the module owning each budget
- lifecycle.py    the host and pubsub under a shield, mDNS, closing everything at once
- status.py       what the node says about itself: NodeInfo (addresses, invite), node.json
- bridge.py       the one bridge between asyncio (the app) and trio (py-libp2p)
- host.py         the libp2p host (TCP, Noise, Yamux) and the py-libp2p 0.8.1 workarounds

Records in and out
- record_flow.py  the records path put together: gossip and sync through the door, outbox
- gossip.py       GossipSub settings, the topic validator, scoring, flood publishing
- door.py         the one admission path for records from gossip, sync and import
- door_reports.py what the door's verdicts become: RecordRejected, ClockSkew, after-flood syncs
- buckets.py      token buckets, the rate-limit primitive of the door and the sync budget
- held.py         records dated ahead of our clock, held until their time comes
- waiting.py      records the ledger cannot judge yet (they name one not here)
- ingest.py       storing what was admitted; RecordsArrived with the envelopes
- outbox.py       publishing what the member signed, woken by kicks and the store's doorbell
- refusals.py     what was refused, from whom and why
- clock_watch.py  whether this member's clock looks wrong

Catch-up
- catchup.py      when to sync with whom
- sync_stream.py  a sync session over /p2pshare/sync/1.0.0 (protocol/sync carried)
- send_budget.py  what a responder may send, per peer and in all
- framing.py      length-prefixed frames over a stream (protocol/framing.py underneath)

Peers
- peer_watch.py     who is connected (events), and blocking peers that misbehave
- peer_standing.py  what the node thinks of a peer: trust paths, time connected, block
- dialer.py         dialing due peers up to max_peers, redial backoff, the owner's `dial`
- discovery.py      bootstrap config, remembered peers with redial backoff, mDNS
- peer_sharing.py   the node's side of peer exchange and find: what it tells and learns
- peer_exchange.py  where a peer listens and whom it knows, over /p2pshare/peers/1.0.0
- invite.py         invite strings and peer address parsing (no libp2p import)
- connections.py    inbound slots that come back, trimming (the connection manager)
- admission.py      whether an inbound connection may go on: per-address caps, handshake rates

Reach
- reach.py        reachability by dial-back
- relay.py        circuit relay v2: relaying for others and keeping reservations
- addresses.py    dialing direct addresses first, then circuits
- traversal.py    across NATs: reachability, relays, circuits and hole punching together

A member's devices
- pairing.py      a new device joins with a one-time code: SPAKE2, then its certificate
- member_keys.py  a device fetches the member's current seal key from a sibling device
"""

"""Homes full of history for the benchmarks: offers and profiles signed by real keys,
stored as the network would store them.

Signing 100,000 offers and storing them takes about a minute, so `cached_home`
keeps each home it builds (under $P2PSHARE_BENCH_CACHE, else ~/.cache) and hands
out copies. A cached home is used on the day it was built only: its offers are
dated from that day, and after some days they would start to expire.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import tempfile
import time
from pathlib import Path

DAY = 86_400
LAYOUT = 1  # bump when build_home makes different homes: older cached ones are not used


def cached_home(root: Path, n_offers: int) -> tuple[Path, float]:
    """A copy, under `root`, of the home `build_home` makes, built once a day; with
    the seconds its ingest took when it was built."""
    import protocol

    cache = Path(os.environ.get("P2PSHARE_BENCH_CACHE", Path.home() / ".cache/p2pshare-bench"))
    day = int(time.time()) // DAY
    kept = cache / f"home-{n_offers}-layout{LAYOUT}-format{protocol.FORMAT_VERSION}-day{day}"
    if not (kept / "built.json").exists():
        cache.mkdir(parents=True, exist_ok=True)
        for old in cache.glob(f"home-{n_offers}-*"):
            shutil.rmtree(old, ignore_errors=True)  # other days, other layouts
        building = Path(tempfile.mkdtemp(prefix=".building-", dir=cache))
        home, ingest = build_home(building, n_offers)
        (building / "built.json").write_text(
            json.dumps({"home": str(home.relative_to(building)), "ingest": ingest})
        )
        try:
            building.rename(kept)
        except OSError:  # another run built it meanwhile
            shutil.rmtree(building, ignore_errors=True)
    built = json.loads((kept / "built.json").read_text())
    shutil.copytree(kept, root)
    return root / built["home"], float(built["ingest"])


def build_home(root: Path, n_offers: int) -> tuple[Path, float]:
    """A home with `n_offers` offers from 500 members, ingested as the network would."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    import protocol
    from p2pshare.member.home import Home
    from p2pshare.service.api import create_identity
    from p2pshare.store import Store

    rng = random.Random(7)
    home = Home.resolve(root / "me")
    create_identity(home, name="Me", skills=["python", "keynote"])
    now = int(time.time())
    skills = ["python", "keynote", "design", "legal", "data", "marketing", "translation", "video"]
    regions = ["Atlanta", "Berlin", "Lisbon", "Paris", "Tokyo", "Remote", "", "São Paulo"]
    keys = [Ed25519PrivateKey.generate() for _ in range(500)]
    records = []
    for i, key in enumerate(keys):
        x = Ed25519PrivateKey.generate().public_key().public_bytes_raw()
        profile = protocol.Profile(
            name=f"member {i}",
            headline="",
            skills=(rng.choice(skills),),
            region=rng.choice(regions),
            available=True,
            seal_key=protocol.PublicKey(x),
        )
        records.append(protocol.sign(profile, key=key, created_at=now - 40 * DAY).data)
    for i in range(n_offers):
        created = now - rng.randrange(20 * DAY)
        offer = protocol.Offer(
            title=f"Opportunity {i}: {rng.choice(skills)} in {rng.choice(regions) or 'a city'}",
            description="",
            skills=tuple(rng.sample(skills, 2)),
            region=rng.choice(regions),
            remote=rng.random() < 0.3,
            value=rng.randrange(100, 20_000),
            currency="USD",
            expires_at=created + 30 * DAY,
            contact=b"",
        )
        records.append(protocol.sign(offer, key=rng.choice(keys), created_at=created).data)
    started = time.perf_counter()
    with Store.open(home.store_file) as store:
        for i in range(0, len(records), 5000):
            store.ingest_many(records[i : i + 5000], now=now)
    return home.path, time.perf_counter() - started

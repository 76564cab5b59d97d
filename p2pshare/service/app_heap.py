"""The app process's C heap: large blocks given back to the system when freed.

The app holds ~100,000 feed rows for hours and ranks them again now and then
(feed_cache.py): each ranking makes and drops lists and dicts of 100,000 entries
(0.8-4 MB each). glibc serves a block that large with its own mmap, and gives it
back on free, but the first such free raises its threshold to that block's size
(its "dynamic mmap threshold", up to 32 MB), after which every block of that size
comes from the heap instead, and the heap keeps what is freed in holes between
live blocks: ~12 MB more after the first load of a 100k-offer home, ~15 MB more
after some re-rankings (issue 10's memory goal, 250 MB). Fixing the threshold at
glibc's own default (128 KiB) keeps every large block mapped, and returned.

Only the app's own process (`freeze_heap`, as for gc.freeze): tests hold many
nodes in one process, and a library has no business setting its host's malloc.
Elsewhere than glibc nothing is set.
"""

from __future__ import annotations

import logging
import platform

log = logging.getLogger(__name__)

M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter (malloc.h)
MMAP_THRESHOLD = 128 * 1024  # glibc's default; setting it turns the dynamic raise off


def keep_large_blocks_mapped() -> bool:
    """Fix glibc's mmap threshold at 128 KiB; False where there is no glibc (or it refused)."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    import ctypes  # only here: the app's process, on glibc, once

    try:
        libc = ctypes.CDLL(None)
        done = bool(libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD))
    except (OSError, AttributeError):
        done = False
    if not done:
        log.info("mallopt(M_MMAP_THRESHOLD) refused: large blocks stay with glibc's heap")
    return done

"""The problems' share of `deskside worker` (a lane of its own, looked at every minute): when
the detection is due (every `detection.EVERY`, 15 minutes), one worker claims it with a
conditional UPDATE and runs the pass. A failure is logged; the pass runs again when next due.
"""

import logging

from deskside.core import clock
from deskside.problems import detection

log = logging.getLogger(__name__)


def problems_pass() -> None:
    now = clock.now()
    if not detection.claim(now):
        return
    outcome = detection.detect(now=now)
    log.info(
        "problems pass: %d tickets, %d clusters in %.1f s",
        outcome.tickets,
        outcome.clusters,
        outcome.seconds,
    )

"""The external profile's sofia.conf: every gateway of every enabled resource
(crossbar.resources.catalog), as the switch fetches it on start, rescan,
restart and startgw (fixtures round 5)."""
import logging

from crossbar.resources import catalog
from kzcore import fsxml_sofia

log = logging.getLogger(__name__)


def answer(store, profile):
    gateways = catalog.all_gateways(store)
    log.info("sofia.conf served", extra={"profile": profile, "gateways": len(gateways)})
    return fsxml_sofia.sofia_configuration(profile, gateways)

"""Resources (Kazoo's carriers): ``/v2/resources`` (the system's, superduper
admins only) and ``/v2/accounts/{account_id}/resources`` (an account's own,
its admins only). Their gateways reach FreeSWITCH through the sofia.conf
crossbar serves over xml_curl (crossbar.xmlcurl) and a rescan on every node
(crossbar.resources.sync); dial-outs go through them (crossbar.live.carrier_routing)."""

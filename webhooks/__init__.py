"""Webhooks: durable, signed, ordered delivery of conference events to
customers' HTTP endpoints (the ``kz-webhooks`` service).

Events come from the ``conference`` exchange (ecallmgr's room and participant
events, crossbar's document events) through a durable queue (``sources``); the
hook table (``hooks``) says which webhook events each makes; the directory
finds the webhooks of the event's account (``directory``); lanes keep the order
per (webhook, conference) (``lanes``); each delivery is signed (``signing``),
sent to a checked address (``destinations``, ``sender``, kzcore.netpolicy),
retried with back-off (``backoff``, ``delivery``), logged (``journal``), and a
webhook failing too often is disabled (``health``).
"""

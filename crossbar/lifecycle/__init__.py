"""The API side of the conference lifecycle (issue 12): the ``end`` action and
``DELETE ?end=true``, the lifecycle part of ``_read_only``, what a dial records
(legs that may start the room, ``end_conference_on_exit`` legs) and the
``end_conference_on_exit`` participant action.

crossbar only acts on requests here: it ends rooms it is asked to end and
writes what requests decide into the conference's status document
(``kzcore.lifecycle.status_doc``). Rules that act on their own (timers, connect
rooms, end-on-exit) run in the lifecycle service (``lifecycle/``), which reads
those writes; see its module docstring for why it is not part of crossbar.
"""

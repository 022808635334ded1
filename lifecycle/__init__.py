"""``kz-lifecycle``: conference lifecycle rules, run as a service of its own.

What it does: rooms end themselves by their conference document's rules
(``conference_type: connect``, ``max_duration_s``, ``empty_timeout_s``), members
waiting too long for a moderator are told and hung up
(``wait_for_moderator_timeout_s``), a participant marked
``end_conference_on_exit`` ends the room when they leave; and each run's start,
end and who left are kept (``kzcore.lifecycle.status_doc``) so the API shows the
last run's end after the room is gone.

Where it runs, and why not inside crossbar:

- It needs events (a member joined or left, a room started or ended) and it
  sends commands (``hup all``). DESIGN.md rule 1: nothing on the event path calls
  back into crossbar. So this service *consumes* the events ecallmgr already
  publishes (like blackhole and kz-webhooks do), judges them against the switch,
  and commands FreeSWITCH itself over its own ESL connections. crossbar only
  writes what requests decide (an ``end``, a dial's legs, a participant flag).
- crossbar runs as many gunicorn workers and processes: a timer in each would end
  a room several times, and a restart would lose the timers. Here timers are not
  state: they are recomputed from the switch (``json_list``: ``run_time``, member
  counts, ``wait_mod``, each member's ``join_time``) and the documents (settings,
  the persisted peak and ``empty_since`` of the run) after every start, takeover
  and sweep; a restart of crossbar, ecallmgr or this service loses none of them.
- One instance acts at a time: it holds a RabbitMQ lease (an exclusive queue, freed
  by the broker the moment its holder's connection closes) and only then consumes
  its durable event queue (events wait there while no instance runs). Standby
  instances take over within ``lifecycle_lease_poll`` seconds. Even two acting
  instances would not fight: every decision is checked against the switch first
  (the room, its instance uuid, its ``kz_end_reason`` variable) and ending is
  idempotent (``setvar kz_end_reason``, then ``hup all``; a room already gone
  answers "not found").
- Without a broker (``memory://``, ``kz-all``) there is one instance and no lease.
"""

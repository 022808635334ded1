"""The call-in service: FreeSWITCH's ``socket`` application connects here for every
call to a conference number (fs_conf/dialplan/default.xml).

- ``server``: the TCP listener (``CallinServer``), one greenlet per call; ``stats``: its counters.
- ``guard``: which peers may connect, and the dialplan's shared secret.
- ``session``: one outbound ESL session with timeouts and call-state tracking.
- ``wire``: ESL frames in (bounded: line, headers, body, time) and commands out.
- ``kzcore.fs_commands.apps`` (shared): the dialplan applications sent with ``sendmsg``.
- ``flow`` / ``pins`` / ``joining``: the call itself: answer, welcome, number, PIN, checks,
  join, name announcements; ``outcomes``: how a call ends early.
- ``throttle``: wrong PINs across calls, per conference and per caller (pure);
  ``names``: name recordings, only ever uuid files inside their directory.
- ``documents`` / ``plan`` / ``prompts``: conference documents, roles, PINs, member
  flags, tones and prompt files (pure).
- ``directory``: finds the conference behind a dialled number (``kzcore.conference_numbers`` index).
- ``cli``: ``kz-callin``.
"""

"""The call-in service: FreeSWITCH's ``socket`` application connects here for every
call to a conference number (fs_conf/dialplan/default.xml).

- ``server``: the TCP listener (``CallinServer``), one greenlet per call.
- ``session``: one outbound ESL session with timeouts and call-state tracking.
- ``wire``: ESL frames in and commands out (pure).
- ``kzcore.fs_commands.apps`` (shared): the dialplan applications sent with ``sendmsg``.
- ``flow`` / ``joining``: the call itself: answer, welcome, number, PIN, checks, join,
  name announcements.
- ``documents`` / ``plan`` / ``prompts``: conference documents, roles, PINs, member
  flags, tones and prompt files (pure).
- ``directory``: finds the conference behind a dialled number (``kzcore.conference_numbers`` index).
- ``cli``: ``kz-callin``.
"""

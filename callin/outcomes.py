"""How a call ends early, as exceptions ``CallFlow.run`` turns into a hang-up.

- ``Refused``: the caller is told why (goodbye prompt) and hung up with ``cause``.
- ``PromptFailed``: FreeSWITCH could not play one of our prompts (sounds missing
  or misconfigured): nothing more can be said, the call is hung up with
  ``SERVICE_UNAVAILABLE`` and the failure is logged at error level.
- ``PeerRefused``: the connection is not from FreeSWITCH (wrong or missing
  secret): no command at all is sent, the socket is closed.
"""


class Refused(Exception):
    """The call ends here (after telling the caller why)."""

    def __init__(self, reason, cause="NORMAL_CLEARING"):
        super().__init__(reason)
        self.cause = cause


class PromptFailed(Exception):
    """A prompt did not play: ``media`` is the file, ``response`` what the switch said."""

    CAUSE = "SERVICE_UNAVAILABLE"

    def __init__(self, media, response):
        super().__init__(f"{media}: {response}")
        self.media = media
        self.response = response


class PeerRefused(Exception):
    """The peer failed the call-in guard (callin.guard)."""

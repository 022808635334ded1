"""ESL (FreeSWITCH Event Socket): wire format (frames), client (on greenswitch), pool of nodes."""
from kzcore.esl.client import DEFAULT_EVENTS, EslAuthError, EslClient
from kzcore.esl.pool import EslPool

__all__ = ["DEFAULT_EVENTS", "EslAuthError", "EslClient", "EslPool"]

"""``hold``: the participant is not heard and hears music until ``unhold``
(``hold <id> <file>`` / ``unhold <id>``: fixtures round2 hold, round4
hold_member_moh; json_list then shows can_hear/can_speak false and hold true).

The music is the ``media_id`` given (a media document of the account, through a
signed link and mod_http_cache like ``play``; or a URL), else the music on hold of
the room's profile: the conference document's ``profile.moh-sound`` as crossbar
serves it over mod_xml_curl (kzcore.fsxml), ``local_stream://moh`` by default, as in
fs_conf's static profiles. A media file plays once; ``local_stream://moh`` loops.
"""
import logging

from kzcore import fs_commands, fsxml, naming
from kzcore.errors import InvalidCommandArgument

log = logging.getLogger(__name__)

DEFAULT_MUSIC = "local_stream://moh"


def profile_music(store, account_id, conference_id, sounds_dir):
    """The room's moh-sound, checked as a playable path (a doc's unusable value is
    logged and the default used)."""
    doc = store.get_or_none(naming.account_db(account_id), conference_id)
    if doc is None or doc.get("pvt_type") != "conference":
        return DEFAULT_MUSIC
    music = dict(fsxml.conference_profile_params(doc, sounds_dir)).get("moh-sound",
                                                                       DEFAULT_MUSIC)
    try:
        return fs_commands.playable_media(music, "moh-sound")
    except InvalidCommandArgument:
        log.warning("moh-sound of the conference cannot be played by hold: default used",
                    extra={"account_id": account_id, "conference_id": conference_id})
        return DEFAULT_MUSIC


def music(ctx, live, account_id, conference_id, media_id=None):
    """The file ``hold`` plays: ``media_id``'s, else the room's music on hold."""
    if media_id:
        return live.media.file_path(account_id, media_id)
    sounds_dir = getattr(ctx.services.config, "fs_sounds_dir", fsxml.DEFAULT_SOUNDS_DIR)
    return profile_music(ctx.services.store, account_id, conference_id, sounds_dir)


def hold(target, params):
    path = music(target.ctx, target.live, target.account_id, target.conference_id,
                 params.get("media_id"))
    return target.command("hold", member=target.member_id, path=path)

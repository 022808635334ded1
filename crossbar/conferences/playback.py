"""The room's playback and sounds: ``stop_play``, ``pause_play``, ``resume_play``,
``set_sounds`` (conference actions; each answers ``(data, 202)``).

- ``stop_play``: ``stop current|all`` -> "+OK Stopped N files." (round4 stop_current,
  stop_all, stop_nothing_playing: 0 when nothing plays, still a success).
- ``pause_play`` / ``resume_play``: mod_conference's ``pause_play`` *toggles* ("+OK
  Pause", then "+OK Resume": round4 pause_play, pause_play_again_resumes), and
  ``play_status`` reads the same whether the file plays or is paused
  (play_status_paused). So neither the state before nor a blind toggle can be
  trusted; the toggle's own answer says which way it went. The action first asks
  ``play_status`` (with nothing playing the switch's "-ERR Nothing is playing" is the
  answer, a 422), then toggles; when the answer shows the file was already in the
  wanted state (pause answered "+OK Resume"), a second toggle puts it back. The data
  is the answer that left the file in the wanted state.
- ``set_sounds``: ``entry_tone`` / ``exit_tone`` booleans -> ``enter_sound on|off`` /
  ``exit_sound on|off`` on the running room ("+OK <room> enter sounds off (<file>)").
"""
import logging

from kzcore.errors import SwitchRefused

log = logging.getLogger(__name__)

ACCEPTED = 202
TOGGLE_WORDS = {"pause": "+OK Pause", "resume": "+OK Resume"}
SOUND_COMMANDS = (("entry_tone", "enter_sound"), ("exit_tone", "exit_sound"))


def _stop_play(ctx, live, account_id, conference, params):
    return live.command(account_id, conference, "stop", which=params["which"]), ACCEPTED


def set_playback(live, located, wanted, member=None):
    """Leave the current file paused or playing (``wanted``: pause|resume)."""
    target = {} if member is None else {"member": member}
    live.send(located, "play_status", **target)      # -ERR Nothing is playing -> 422
    answer = live.send(located, "pause_play", **target)
    if answer.startswith(TOGGLE_WORDS[wanted]):
        return answer
    log.info("pause_play went the other way: toggled back", extra={
        "conference_name": located.name, "wanted": wanted, "reply": answer})
    corrected = live.send(located, "pause_play", **target)
    if not corrected.startswith(TOGGLE_WORDS[wanted]):
        raise SwitchRefused(corrected, {"command": "pause_play", "wanted": wanted})
    return corrected


def _pause(wanted):
    def action(ctx, live, account_id, conference, params):
        located = live.running(account_id, conference, members=False)
        return set_playback(live, located, wanted), ACCEPTED
    return action


def _set_sounds(ctx, live, account_id, conference, params):
    located = live.running(account_id, conference, members=False)
    replies = []
    for field, command in SOUND_COMMANDS:
        if field not in params:
            continue
        try:
            replies.append(live.send(located, command, state=params[field]))
        except SwitchRefused as refused:    # say what was already done before the refusal
            raise SwitchRefused(refused.message, {**refused.data, "done": replies}) from None
    return "\n".join(replies), ACCEPTED


ACTIONS = {"stop_play": _stop_play, "pause_play": _pause("pause"),
           "resume_play": _pause("resume"), "set_sounds": _set_sounds}

"""conference::maintenance event layouts (pure), header order as recorded.

Most member events are: conference block, member block, Action, extras. A few differ:
stop-talking puts its statistics before Action; play-file-member-done repeats the
conference block after Action; floor-change splits Old-ID and New-ID around the block of
the new floor holder.
"""
from fssim.members import member_block

CALLING = {
    "conference-create": ("mod_conference.c", "conference_new", 3848),
    "conference-destroy": ("mod_conference.c", "conference_thread_run", 863),
    "add-member": ("conference_member.c", "conference_member_add", 962),
    "del-member": ("conference_member.c", "conference_member_del", 1355),
    "floor-change": ("conference_member.c", "conference_member_set_floor_holder", 1158),
    "start-talking": ("conference_loop.c", "conference_loop_input", 1154),
    "mute-detect": ("conference_loop.c", "conference_loop_input", 1167),
    "stop-talking": ("conference_loop.c", "stop_talking_handler", 783),
    "play-file-done": ("conference_file.c", "conference_file_close", 52),
    "play-file-member-done": ("conference_file.c", "conference_file_close", 52),
    "mute-member": ("conference_api.c", "conference_api_sub_mute", 339),
    "unmute-member": ("conference_api.c", "conference_api_sub_unmute", 492),
    "deaf-member": ("conference_api.c", "conference_api_sub_deaf", 797),
    "undeaf-member": ("conference_api.c", "conference_api_sub_undeaf", 839),
    "hup-member": ("conference_api.c", "conference_api_sub_hup", 871),
    "kick-member": ("conference_api.c", "conference_api_sub_kick", 902),
    "energy-level-member": ("conference_api.c", "conference_api_sub_energy", 1228),
    "volume-in-member": ("conference_api.c", "conference_api_sub_volume_in", 1574),
    "volume-out-member": ("conference_api.c", "conference_api_sub_volume_out", 1609),
    "play-file": ("conference_api.c", "conference_api_sub_play", 2817),
    "play-file-member": ("conference_api.c", "conference_api_sub_play", 2846),
    "speak-text": ("conference_api.c", "conference_api_sub_say", 2885),
    "speak-text-member": ("conference_api.c", "conference_api_sub_saymember", 2944),
    "lock": ("conference_api.c", "conference_api_sub_lock", 3474),
    "unlock": ("conference_api.c", "conference_api_sub_unlock", 3496),
    "start-recording": ("conference_record.c", "conference_record_thread_run", 319),
    "stop-recording": ("conference_record.c", "conference_record_thread_run", 427),
    "pause-recording": ("conference_api.c", "conference_api_sub_pauserec", 3860),
    "resume-recording": ("conference_api.c", "conference_api_sub_pauserec", 3860),
    "bgdial-result": ("mod_conference.c", "conference_outcall_run", 1708),
    "hold-member": ("conference_api.c", "conference_api_sub_hold", 440),
    "unhold-member": ("conference_api.c", "conference_api_sub_unhold", 389),
    "transfer": ("conference_api.c", "conference_api_sub_transfer", 3704),
    "dtmf-member": ("conference_api.c", "conference_api_sub_dtmf", 1049),
    "enter-sounds-on": ("conference_api.c", "conference_api_sub_enter_sound", 3571),
    "enter-sounds-off": ("conference_api.c", "conference_api_sub_enter_sound", 3579),
    "enter-sound-file-changed": ("conference_api.c", "conference_api_sub_enter_sound", 3592),
    "exit-sounds-on": ("conference_api.c", "conference_api_sub_exit_sound", 3520),
    "exit-sounds-off": ("conference_api.c", "conference_api_sub_exit_sound", 3528),
    "exit-sound-file-changed": ("conference_api.c", "conference_api_sub_exit_sound", 3542),
    "rejected-join-only": ("mod_conference.c", "conference_function", 2129),
    "dtmf": ("conference_loop.c", "conference_loop_output", 1437),
}


def conference_block(conf):
    head = [("Conference-Name", conf.name), ("Conference-Domain", conf.profile.domain),
            ("Conference-Size", str(conf.count)), ("Conference-Ghosts", str(conf.ghosts)),
            ("Conference-Profile-Name", conf.profile.name),
            ("Conference-Unique-ID", conf.uuid)]
    head += list(conf.variables.items())
    return head


def conference_action(conf, action, extras=()):
    return conference_block(conf) + [("Action", action)] + list(extras)


def member_action(conf, member, action, extras=(), extras_first=False, floor=None):
    block = conference_block(conf) + member_block(member, conf.profile.verbose_events, floor)
    if extras_first:
        return block + list(extras) + [("Action", action)]
    return block + [("Action", action)] + list(extras)


def floor_change(conf, old, new):
    head = conference_block(conf) + [("Action", "floor-change"),
                                     ("Old-ID", str(old.id) if old else "none")]
    if new is None:
        return head + [("New-ID", "none")]
    return (head + conference_block(conf) + member_block(new, conf.profile.verbose_events)
            + [("New-ID", str(new.id))])


def file_done(conf, played, member=None, member_file=None):
    """played = (seconds, milliseconds, samples) as reported; File comes last. A member
    file whose member already left has no member block (conference_file_close)."""
    seconds, ms, samples = played
    member_file = member is not None if member_file is None else member_file
    action = "play-file-member-done" if member_file else "play-file-done"
    head = conference_block(conf) + [("seconds", str(seconds)), ("milliseconds", str(ms)),
                                     ("samples", str(samples)), ("Action", action)]
    if member is not None:
        head += conference_block(conf) + member_block(member, conf.profile.verbose_events)
    return head


def talking_stats(duration_ms):
    packets = max(1, duration_ms // 20)
    hits = int(packets * 0.7)
    return [("talking-gate-hits", str(hits)), ("talking-total-packets", str(packets)),
            ("talking-duration-ms", str(duration_ms)),
            ("talking-average-energy", "6483.319588"), ("talking-delta-average", "7.865979"),
            ("talking-hit-on-percent", "%.6f" % (100.0 * hits / packets)),
            ("talking-non-hit-ratio", "1.030928"), ("talking-hit-off-percent", "0.729927"),
            ("talking-hit-off-differential", "%.6f" % (100.0 * hits / packets - 0.729927))]

"""Conference profiles, as the recorded rig configured them (see fixtures README)."""
import dataclasses


@dataclasses.dataclass
class Profile:
    name: str
    rate: int = 8000
    interval: int = 20
    energy_level: int = 100
    domain: str = "127.0.0.1"
    verbose_events: bool = False
    max_members: int = 0
    tts_voice: str = "kal"
    caller_controls: str = "default"
    enter_sound: str = "tone_stream://%(200,0,500,600,700)"
    exit_sound: str = "tone_stream://%(300,0,700,500,300)"
    alone_sound: str = "tone_stream://%(250,0,450)"
    muted_sound: str = "tone_stream://%(150,0,300)"
    unmuted_sound: str = "tone_stream://%(150,0,600)"
    locked_sound: str = "tone_stream://%(250,0,800)"
    is_locked_sound: str = "tone_stream://%(150,0,900)"
    is_unlocked_sound: str = "tone_stream://%(150,0,1000)"
    kicked_sound: str = "tone_stream://%(300,0,200)"
    max_members_sound: str = None
    sound_prefix: str = None          # relative sound names are prefixed with it
    endconference_grace_time: int = 0


def default_profiles():
    return {
        "default": Profile("default"),
        "wideband": Profile("wideband", rate=16000, tts_voice="kal16"),
        "verbose": Profile("verbose", verbose_events=True),
    }

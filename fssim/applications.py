"""Dialplan applications run through Channel.execute(), with CHANNEL_EXECUTE and
CHANNEL_EXECUTE_COMPLETE events (Application-UUID = the sendmsg Event-UUID)."""
import logging
import uuid as uuidlib

import gevent

from fssim.channels import COMPLETE_CALL, EXECUTE_CALL
from fssim.dptools import play_and_get_digits

log = logging.getLogger(__name__)


class Applications:
    def __init__(self, core):
        self.core = core
        self.table = {
            "answer": lambda ch, arg: ch.answer() or "",
            "hangup": lambda ch, arg: ch.hangup(arg or "NORMAL_CLEARING") or "",
            "playback": lambda ch, arg: ch.playback(arg),
            "sleep": lambda ch, arg: self.core.clock.sleep(int(arg or 0) / 1000.0) or "",
            "set": self._set,
            "conference": self._conference,
            "play_and_get_digits": play_and_get_digits,
        }

    def register(self, name, func):
        """func(channel, arg) -> Application-Response text."""
        self.table[name] = func

    def execute(self, channel, app, arg="", event_uuid=None):
        app_uuid = event_uuid or str(uuidlib.uuid4())
        channel.set_variable("current_application", app)
        channel.set_variable("current_application_data", arg)
        data = [("Application-Data", arg)] if arg else []
        channel.fire("CHANNEL_EXECUTE", EXECUTE_CALL,
                     extra_after=[("Application", app), *data, ("Application-UUID", app_uuid)])
        func = self.table.get(app)
        response = "_none_"
        channel.running_app = gevent.getcurrent()
        try:
            if func is None:
                log.warning("unknown application", extra={"app": app, "uuid": channel.uuid})
            else:
                response = func(channel, arg) or "_none_"
        finally:
            channel.running_app = None
        channel.last_app, channel.last_arg = app, arg
        if app == "playback":
            channel.set_variable("current_application_response", response)
        channel.fire("CHANNEL_EXECUTE_COMPLETE", COMPLETE_CALL,
                     extra_after=[("Application", app), *data,
                                  ("Application-Response", response),
                                  ("Application-UUID", app_uuid)])
        return response

    @staticmethod
    def _set(channel, arg):
        name, _, value = arg.partition("=")
        channel.set_variable(name, value)
        return ""

    def _conference(self, channel, arg):
        room, _, rest = arg.partition("@")
        profile, _, flags = rest.partition("+flags{")
        flag_list = [f for f in flags.rstrip("}").split("|") if f]
        member = channel.join_conference(room, profile or "default", flag_list)
        if member is not None:
            channel.done.wait()
        return ""

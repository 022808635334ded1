"""Helpers for the media security tests: the product's own stack (crossbar on a real
TCP port, the simulator over ESL), a real WAV, and API calls as the stack's admin."""
import io
import re
import wave

import requests

TIMEOUT = 5.0
LINK = re.compile(r"http_cache://(http://[^\s]+/v2/live_media/[^\s/]+/[^\s]+)")


def wav_bytes(seconds=0.2, rate=8000):
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(b"\0\0" * int(seconds * rate))
    return buffer.getvalue()


class Client:
    """The stack's admin speaking HTTP to crossbar's real socket."""

    def __init__(self, stack):
        self.stack, self.token = stack, stack.token()
        self.base = f"{stack.base_url}/v2/accounts/{stack.account_id}"

    def request(self, method, path, **kwargs):
        headers = {"X-Auth-Token": self.token, **kwargs.pop("headers", {})}
        return requests.request(method, self.base + path, headers=headers, timeout=TIMEOUT, **kwargs)

    def create_media(self, name="Greeting"):
        reply = self.request("PUT", "/media", json={"data": {"name": name}})
        assert reply.status_code == 201, reply.text
        return reply.json()["data"]["id"]

    def upload(self, media_id, content, content_type):
        return self.request("PUT", f"/media/{media_id}/raw", data=content,
                            headers={"Content-Type": content_type})

    def running_room(self):
        """A conference with one simulated caller; ``(conference_id, fs_name)``."""
        reply = self.request("PUT", "/conferences", json={"data": {"name": "Media room"}})
        assert reply.status_code == 201, reply.text
        conference_id = reply.json()["data"]["id"]
        room = self.stack.fs_name(conference_id)
        self.stack.sim.join(room, "1001", "Caller")
        return conference_id, room

    def action(self, conference_id, name, data):
        return self.request("PUT", f"/conferences/{conference_id}",
                            json={"action": name, "data": data})

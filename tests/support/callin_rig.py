"""The real call-in server on a free port, over an embedded store, for tests that
talk to it over TCP (as FreeSWITCH, or as someone pretending to be it)."""
import contextlib

from callin.directory import ConferenceDirectory
from callin.flow import CallinOptions
from callin.server import CallinServer
from kzcore import naming
from kzcore.store.embedded import EmbeddedStore

ACCOUNT = "5ec0" + "a" * 28


class CallinRig:
    def __init__(self, tmp_path, options=None, **server_kwargs):
        self.tmp_path = tmp_path
        self.store = EmbeddedStore(":memory:")
        self.store.save(naming.ACCOUNTS_DB, {"_id": ACCOUNT, "pvt_type": "account", "name": "Sec"})
        defaults = dict(names_dir=str(tmp_path / "recordings" / "callin-names"),
                        media_timeout=5.0, join_timeout=0.5, linger_seconds=5,
                        command_timeout=2.0, header_timeout=2.0)
        defaults.update(options or {})
        self.options = CallinOptions(**defaults)
        self.server = CallinServer(ConferenceDirectory(self.store, rescan_interval=0.0),
                                   "127.0.0.1", 0, self.options, **server_kwargs).start()

    @property
    def port(self):
        return self.server.port

    @property
    def stats(self):
        return self.server.stats

    def conference(self, conference_id, **fields):
        """Save a conference document; returns its FreeSWITCH room name."""
        doc = {"_id": conference_id, "pvt_type": "conference", "name": conference_id,
               "member": {"join_muted": False}, **fields}
        self.store.save(naming.account_db(ACCOUNT), doc)
        return naming.fs_conference_name(ACCOUNT, conference_id)

    def close(self):
        self.server.stop(timeout=1)
        self.store.close()


@contextlib.contextmanager
def callin_rig(tmp_path, options=None, **server_kwargs):
    rig = CallinRig(tmp_path, options, **server_kwargs)
    try:
        yield rig
    finally:
        rig.close()

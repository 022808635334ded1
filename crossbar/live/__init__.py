"""Live conferences: state read from FreeSWITCH, conference actions, participants,
dial-outs, media links and recordings.

Composition (``crossbar.cli.compose_parts`` does this for every entry point)::

    live = create_live(config, store=store, signer=signer)
    app = create_app(config, ..., live=live, extra_blueprints=live.blueprints())
"""
from crossbar.live.compose import create_live
from crossbar.live.routes import create_blueprint
from crossbar.live.service import LiveConferences

__all__ = ["LiveConferences", "create_blueprint", "create_live"]

"""Live conferences: state read from FreeSWITCH, conference actions, participants,
dial-outs, media links and recordings.

Composition (e.g. in the crossbar entry point)::

    pool = EslPool(config.nodes, timeout=config.esl_timeout).start()
    live = LiveConferences(pool, store, config, signer)
    app = create_app(config, ..., live=live, extra_blueprints=[create_blueprint()])
"""
from crossbar.live.routes import create_blueprint
from crossbar.live.service import LiveConferences

__all__ = ["LiveConferences", "create_blueprint"]

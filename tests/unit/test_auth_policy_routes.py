"""Every endpoint crossbar.auth.policy names is a route of the app: a name with a typo
in the policy's tables would protect nothing (and let a user-level token through)."""
from crossbar.auth import policy


def test_every_endpoint_the_policy_names_exists(app_factory):
    """A name in the policy that no route has protects nothing."""
    from crossbar.live import create_blueprint
    app = app_factory(extra_blueprints=[create_blueprint()]).app
    names = {rule.endpoint.rsplit(".", 1)[-1] for rule in app.url_map.iter_rules()}
    named = policy.ADMIN_ONLY | policy.SUPERDUPER_ONLY | set(policy.SELF_OR_ADMIN)
    assert sorted(named - names) == []

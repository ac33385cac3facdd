from . import models
from . import wizards


def uninstall_hook(env):
    """Remove the credit rules whose condition leaves with this module."""
    env["credit.rule"].with_context(active_test=False).search(
        [("rule_type", "=", "dunning_hold")]
    ).unlink()

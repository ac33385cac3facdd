"""Install the three addons into the odoo.addons namespace (metadata in setup.cfg)."""

from setuptools import find_packages, setup

ADDONS = ("credit_management", "credit_dunning", "credit_reports")

packages = []
package_dir = {}
for addon in ADDONS:
    package_dir[f"odoo.addons.{addon}"] = addon
    packages += [
        f"odoo.addons.{name}" for name in find_packages(include=[addon, f"{addon}.*"])
    ]

setup(packages=packages, package_dir=package_dir)

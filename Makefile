# Runtime for the credit management addons: a virtualenv with Odoo 18's
# requirements, a local PostgreSQL, a demo database on the real AR history,
# and the test suite. Odoo itself is not part of this repository; it is found
# through ODOO_SRC.

ODOO_SRC ?= /opt/odoo/18.0
DEMO_DB ?= credit_demo
TEST_DB ?= credit_test
HTTP_PORT ?= 8069
AS_OF ?= 2013-06-30
TEST_HTTP_PORT ?= 8169
export TEST_HTTP_PORT

SHELL := /bin/bash
ROOT := $(CURDIR)
VENV := $(ROOT)/.venv
PYTHON := $(VENV)/bin/python
VAR := $(ROOT)/var
ODOO_CONF := $(VAR)/odoo.conf
ODOO := $(PYTHON) $(ODOO_SRC)/odoo-bin -c $(ODOO_CONF)
ADDONS := credit_management,credit_dunning,credit_reports
export ODOO_SRC

.PHONY: run test venv db conf demo lint check-odoo clean-db

run: demo
	@bash tools/serve_demo.sh $(ODOO_CONF) $(DEMO_DB) $(HTTP_PORT)

test: conf db
	@bash tools/run_tests.sh $(ODOO_CONF) $(TEST_DB) $(AS_OF)

check-odoo:
	@bash tools/check_odoo.sh "$(ODOO_SRC)"

venv: check-odoo $(VENV)/.installed

$(VENV)/.installed: requirements.txt tools/bootstrap_venv.sh
	@bash tools/bootstrap_venv.sh "$(ODOO_SRC)" "$(VENV)"
	@touch $@

db:
	@bash tools/start_postgres.sh

conf: venv
	@mkdir -p $(VAR)
	@bash tools/write_conf.sh "$(ODOO_SRC)" "$(ROOT)" "$(ODOO_CONF)"

demo: conf db
	@bash tools/build_demo.sh "$(ODOO_CONF)" $(DEMO_DB) $(AS_OF)

lint: venv
	@$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

clean-db: db
	-dropdb --if-exists $(DEMO_DB)
	-rm -f $(VAR)/demo.stamp $(VAR)/demo/letters.pdf $(VAR)/demo/letter-1.png
	-dropdb --if-exists $(TEST_DB)
	-dropdb --if-exists $(TEST_DB)_e2e

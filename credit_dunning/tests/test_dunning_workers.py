import threading
from datetime import date, timedelta

from odoo import SUPERUSER_ID, Command, api
from odoo.api import Transaction
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged


@tagged("post_install", "-at_install")
class TestDunningWorkers(BaseCase):
    """Two scheduled jobs send the same run at the same moment.

    ``SKIP LOCKED`` must hand each customer to one job only. The test needs
    two real transactions, so its fixtures are committed in their own cursor
    and deleted again when the test ends.
    """

    CUSTOMERS = 6
    RUN_DATE = date(2013, 6, 30)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())

    def setUp(self):
        super().setUp()
        self.partner_ids = []
        self.move_ids = []
        self.run_id = None
        self.addCleanup(self._delete_fixtures)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            company = env.ref("base.main_company")
            partners = env["res.partner"].create(
                [
                    {"name": f"Dunning Worker Customer {n}", "is_company": True}
                    for n in range(self.CUSTOMERS)
                ]
            )
            self.partner_ids = partners.ids
            due = self.RUN_DATE - timedelta(days=40)
            moves = (
                env["account.move"]
                .with_company(company)
                .create(
                    [
                        {
                            "move_type": "out_invoice",
                            "partner_id": partner.id,
                            "invoice_date": due - timedelta(days=30),
                            "invoice_payment_term_id": False,
                            "invoice_date_due": due,
                            "invoice_line_ids": [
                                Command.create(
                                    {
                                        "name": "Consulting",
                                        "quantity": 1,
                                        "price_unit": 100.0,
                                        "tax_ids": [Command.clear()],
                                    }
                                )
                            ],
                        }
                        for partner in partners
                    ]
                )
            )
            self.move_ids = moves.ids
            moves.action_post()
            Run = env["credit.dunning.run"].with_company(company)
            run = Run.create({"date": self.RUN_DATE, "company_id": company.id})
            self.run_id = run.id
            # Only our invoices: the database may hold other overdue ones.
            rows = Run._get_overdue_invoice_rows(company, self.RUN_DATE, run=run)
            run._add_lines([row for row in rows if row["move_id"] in moves.ids])
            run.state = "sending"
            self.assertEqual(
                sorted(run.letter_ids.partner_id.ids), sorted(self.partner_ids)
            )
            self.assertEqual(set(run.letter_ids.mapped("send_state")), {"pending"})

    def _delete_fixtures(self):
        with self.registry.cursor() as cr:
            env = api.Environment(
                cr, SUPERUSER_ID, {"active_test": False, "force_delete": True}
            )
            run = env["credit.dunning.run"].browse(self.run_id).exists()
            run.letter_ids.unlink()
            run.line_ids.unlink()
            run.unlink()
            moves = env["account.move"].browse(self.move_ids).exists()
            moves.filtered(lambda m: m.state == "posted").button_draft()
            moves.unlink()
            env["res.partner"].browse(self.partner_ids).exists().unlink()

    def _lock(self, name, limit, before, after, results):
        """Lock the next ``limit`` customers in a transaction of its own.

        Waits for ``before`` (if any) once the cursor is open, sets ``after``
        once it holds its locks, and keeps its transaction open until the
        test releases ``release``.
        """
        try:
            with self.registry.cursor() as cr:
                # The test runner holds the registry lock while tests run:
                # give the cursor its transaction so that the environment
                # does not ask for the registry again.
                cr.transaction = Transaction(self.registry)
                # A worker waiting on a lock fails fast instead of hanging.
                cr.execute("SET LOCAL lock_timeout = '5s'")
                env = api.Environment(cr, SUPERUSER_ID, {})
                run = env["credit.dunning.run"].browse(self.run_id)
                if before and not before.wait(timeout=30):
                    raise TimeoutError("the other worker never locked")
                results[name] = run._lock_next_partners(limit).ids
                after.set()
                if not self.release.wait(timeout=30):
                    raise TimeoutError("the test never released the workers")
                cr.rollback()
        except Exception as error:  # noqa: BLE001 - reported by the test
            results[name] = error
            after.set()

    def test_two_workers_get_disjoint_customers(self):
        # The first worker locks 4 of the 6 customers and keeps its
        # transaction open; the second asks for up to 10 and must get the
        # 2 others at once, without waiting for the first.
        first_locked = threading.Event()
        second_locked = threading.Event()
        self.release = threading.Event()
        results = {}
        threads = [
            threading.Thread(
                target=self._lock, args=("first", 4, None, first_locked, results)
            ),
            threading.Thread(
                target=self._lock,
                args=("second", 10, first_locked, second_locked, results),
            ),
        ]
        for thread in threads:
            thread.start()
        try:
            self.assertTrue(second_locked.wait(timeout=30))
        finally:
            self.release.set()
            for thread in threads:
                thread.join(timeout=30)
        self.assertFalse(any(thread.is_alive() for thread in threads))

        first, second = results["first"], results["second"]
        self.assertIsInstance(first, list, first)
        self.assertIsInstance(second, list, second)
        self.assertEqual(first, sorted(self.partner_ids)[:4])
        self.assertEqual(len(second), 2)
        self.assertFalse(set(first) & set(second))
        self.assertEqual(sorted(first + second), sorted(self.partner_ids))

from . import test_credit_aging

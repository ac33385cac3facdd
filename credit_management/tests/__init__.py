from . import test_credit_check
from . import test_credit_exposure
from . import test_credit_security
from . import test_history_import
from . import test_credit_concurrency
from . import test_credit_rule
from . import test_credit_decision
from . import test_credit_cases

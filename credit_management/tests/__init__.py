from . import test_credit_check
from . import test_credit_exposure
from . import test_credit_security
from . import test_history_import

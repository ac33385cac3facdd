from . import test_credit_aging
from . import test_credit_habit
from . import test_credit_kpi
from . import test_credit_risk
from . import test_credit_statement
from . import test_due_soon
from . import test_overdue_alert
from . import test_portfolio

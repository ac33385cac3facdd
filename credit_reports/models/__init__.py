from . import credit_aging_line
from . import credit_habit_flag
from . import credit_kpi_snapshot
from . import res_partner
from . import account_move
from . import res_partner_controller
from . import account_move_overdue
from . import credit_portfolio

from . import credit_aging_wizard
from . import credit_statement_wizard

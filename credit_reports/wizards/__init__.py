from . import credit_aging_wizard

from . import credit_aging_line

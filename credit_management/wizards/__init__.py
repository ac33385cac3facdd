from . import credit_history_import
from . import credit_hold_wizards

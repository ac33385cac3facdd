from . import credit_history_import

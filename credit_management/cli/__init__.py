from . import credit_import

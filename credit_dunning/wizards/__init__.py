from . import credit_dunning_run_wizard

from . import account_move
from . import credit_dunning_letter
from . import credit_dunning_level
from . import credit_dunning_line
from . import credit_dunning_policy
from . import credit_dunning_run
from . import res_company
from . import res_partner

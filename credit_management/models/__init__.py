from . import credit_check_lock
from . import credit_rule
from . import res_company
from . import res_config_settings
from . import res_partner
from . import sale_order
from . import res_partner_import

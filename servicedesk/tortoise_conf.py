"""Config for Tortoise's own CLI: ``tortoise -c servicedesk.tortoise_conf.TORTOISE_ORM ...``."""

from servicedesk.db import tortoise_config
from servicedesk.settings import get_settings

TORTOISE_ORM = tortoise_config(get_settings().database_url)

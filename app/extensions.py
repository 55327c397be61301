"""Extension objects, created unbound and initialised in `create_app`."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from app.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
# Storage comes from RATELIMIT_STORAGE_URI: Redis shared by every app server in production.
limiter = Limiter(key_func=get_remote_address)

"""Routes for users (standard Kazoo CRUD)."""
from flask import Blueprint

from crossbar.crud_views import add_crud_routes
from crossbar.users.service import UsersService

blueprint = Blueprint("users", __name__)
add_crud_routes(blueprint, "users", lambda svc: UsersService(svc.store, svc.schemas))

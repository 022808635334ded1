"""Routes for devices (standard Kazoo CRUD)."""
from flask import Blueprint

from crossbar.crud_views import add_crud_routes
from crossbar.devices.service import DevicesService

blueprint = Blueprint("devices", __name__)
add_crud_routes(blueprint, "devices", lambda svc: DevicesService(svc.store, svc.schemas))

"""Routes for conferences (seed 002): CRUD, actions, participants (recordings and
transcripts: crossbar.recordings.views)."""
from flask import Blueprint, g, request

from crossbar import action_requests, documents, idempotency, responses
from crossbar.conferences import actions, doc_events
from crossbar.conferences.service import ConferencesService
from crossbar.context import current_context, json_body, request_data, services
from crossbar.crud_views import if_match
from crossbar.lifecycle import ending
from crossbar.recordings import views as recordings_views
from crossbar.participants import service as participants

blueprint = Blueprint("conferences", __name__)
BASE = "/accounts/<account_id>/conferences"
ONE = f"{BASE}/<conference_id>"


def _service():
    svc = services()
    return ConferencesService(svc.store, svc.schemas, svc.live,
                              max_numbers=svc.config.max_numbers_per_account,
                              events=doc_events.for_services(svc))


def _doc(doc, status=200):
    return responses.ok(documents.public_view(doc), status, revision=doc.get("_rev"))


def _reply(result):
    data, status = result
    return responses.ok(data, status)


@blueprint.route(BASE, methods=["GET"], endpoint="conferences_list")
def list_conferences(account_id):
    items, page = _service().list(account_id, request.args)
    return responses.ok(items, page=page)


@blueprint.route(BASE, methods=["PUT"], endpoint="conferences_create")
def create_conference(account_id):
    return _doc(_service().create(account_id, request_data()), 201)


@blueprint.route(ONE, methods=["GET"], endpoint="conferences_get")
def get_conference(account_id, conference_id):
    service = _service()
    doc = service.load(account_id, conference_id)
    return responses.ok(service.with_read_only(account_id, doc), revision=doc["_rev"])


@blueprint.route(ONE, methods=["POST"], endpoint="conferences_update")
def update_conference(account_id, conference_id):
    return _doc(_service().update(account_id, conference_id, request_data(), if_match()))


@blueprint.route(ONE, methods=["PATCH"], endpoint="conferences_patch")
def patch_conference(account_id, conference_id):
    return _doc(_service().patch(account_id, conference_id, request_data(), if_match()))


@blueprint.route(ONE, methods=["DELETE"], endpoint="conferences_delete")
def delete_conference(account_id, conference_id):
    """A running room is a 409 unless ``?end=true`` (crossbar.lifecycle.ending)."""
    end = ending.end_arg(request.args.get("end"))
    return _doc(ending.delete_conference(_service(), services().live, account_id,
                                         conference_id, if_match(), end))


def _parsed_action():
    request = action_requests.parse(json_body())
    g.kz_action = request.action            # its metrics label (crossbar.observability)
    return request


def _action_reply(data, status, replayed):
    response = responses.ok(data, status)
    if replayed:
        response.headers["X-Command-Replayed"] = "true"
    return response


def _action(account_id, conference_id, scope, perform):
    """One action request: carried out, or (same ``command_id``) its first answer."""
    request = _parsed_action()
    return _action_reply(*idempotency.run_action(services().commands, account_id,
                                                 conference_id, scope, request, perform))


@blueprint.route(ONE, methods=["PUT"], endpoint="conferences_action")
def conference_action(account_id, conference_id):
    conference = _service().load_or_id(account_id, conference_id)
    return _action(account_id, conference_id, "conference", lambda request: actions.perform(
        current_context(), account_id, conference, request))


@blueprint.route(f"{ONE}/participants", methods=["GET"], endpoint="participants_list")
def list_participants(account_id, conference_id):
    conference = _service().load_or_id(account_id, conference_id)
    return _reply(participants.list_participants(current_context(), account_id, conference))


@blueprint.route(f"{ONE}/participants", methods=["PUT"], endpoint="participants_action")
def participants_action(account_id, conference_id):
    conference = _service().load_or_id(account_id, conference_id)
    return _action(account_id, conference_id, "participants", lambda request:
                   participants.participants_action(current_context(), account_id, conference,
                                                    request))


@blueprint.route(f"{ONE}/participants/<participant_id>", methods=["GET"],
                 endpoint="participant_get")
def get_participant(account_id, conference_id, participant_id):
    conference = _service().load_or_id(account_id, conference_id)
    return _reply(participants.get_participant(current_context(), account_id, conference,
                                               participant_id))


@blueprint.route(f"{ONE}/participants/<participant_id>", methods=["PUT"],
                 endpoint="participant_action")
def participant_action(account_id, conference_id, participant_id):
    """Also served before Flask: crossbar.fast_actions (same functions)."""
    return _action_reply(*participants.run_participant_action(
        current_context(), account_id, conference_id, participant_id, _parsed_action()))


recordings_views.add_routes(blueprint)   # recordings and transcripts (crossbar.recordings.views)

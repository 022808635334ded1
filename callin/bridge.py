"""The two ends of a caller's bridge to the focus node (issue 18), as steps of a call.

- ``hand_over`` (on the node the caller reached): once the PIN decided the role,
  if the conference's focus is another node (callin.focus), the call is bridged
  there: ``bridge {sip_h_X-KZ-Focus=<token>}sofia/<profile>/<number>@<node>``,
  the dialled number again, so the focus node's dialplan sends it to the call-in
  service too. The caller stays bridged until either side hangs up. A bridge
  that fails (the node does not answer) lets the caller join here instead: a
  room on two nodes is detected and shown (crossbar.live.split), a dropped
  caller is not.
- ``arrival`` (on the focus node): a leg carrying a token this service signed
  (callin.focus_token) is the bridged caller: conference and role come from the
  token, nothing is asked again (no welcome, no PIN), and the leg is never
  bridged on. A token that does not hold is logged and counted, and the call
  is treated as any other (the PIN is asked).
"""
import logging

from callin.focus_token import ARRIVAL_HEADER, HEADER_VARIABLE, Claims, TokenRefused
from kzcore.fs_commands import apps

log = logging.getLogger(__name__)
BRIDGED = "SUCCESS"   # originate_disposition of a bridge whose far end answered


def caller_number(channel):
    return (channel.get("Caller-Caller-ID-Number") or channel.get("Channel-Caller-ID-Number")
            or "").strip()


def arrival(flow, router):
    """``(Conference, role)`` of a trusted bridged leg, else None."""
    token = flow.session.channel.get(ARRIVAL_HEADER)
    if not token:
        return None
    call_id = flow.session.uuid
    try:
        claims = router.tokens.redeem(token, caller_number(flow.session.channel))
    except (TokenRefused, ValueError) as why:
        log.warning("call-in: focus token refused; the caller is asked as any other", extra={
            "call_id": call_id, "reason": str(why),
            "focus_token_refused": flow.stats.count("focus_token_refused")})
        return None
    conference = flow.directory.conference(claims.account_id, claims.conference_id)
    if conference is None:
        log.warning("call-in: bridged caller's conference is gone", extra={
            "call_id": call_id, "conference_id": claims.conference_id})
        return None
    flow.stats.count("focus_arrivals")
    log.info("call-in: bridged caller arrived at the focus node", extra={
        "call_id": call_id, "conference_id": claims.conference_id, "role": claims.role})
    return conference, claims.role


def hand_over(flow, router, role):
    """True when the call went to the focus node (and has ended); False: join here."""
    conference, session = flow.conference, flow.session
    number = flow.dialled_number()
    if not number.isdigit():
        return False
    destination = router.destination(conference, session.uuid, number)
    if destination is None:
        return False
    token = router.tokens.issue(Claims(conference.account_id, conference.conference_id, role,
                                       caller_number(session.channel)))
    log.info("call-in: bridging the caller to the focus node", extra={
        "call_id": session.uuid, "conference_id": conference.conference_id,
        "focus": destination.node, "focus_bridges": flow.stats.count("focus_bridges")})
    # blocks while bridged; the caller hanging up ends it as CallerGone
    event = session.execute(apps.bridge(destination.endpoint, {HEADER_VARIABLE: token}),
                            timeout=flow.options.max_call_seconds)
    disposition = event.get("variable_originate_disposition")
    if disposition == BRIDGED:
        log.info("call-in: the focus node ended the bridged call", extra={
            "call_id": session.uuid, "conference_id": conference.conference_id})
        return True
    log.warning("call-in: bridge to the focus node failed; joining here", extra={
        "call_id": session.uuid, "conference_id": conference.conference_id,
        "focus": destination.node, "disposition": disposition,
        "focus_bridge_failed": flow.stats.count("focus_bridge_failed")})
    return False

"""Conference call-in numbers (pure): which fields hold them, which collide."""
from crossbar.documents import get_path

NUMBER_FIELDS = ("conference_numbers", "member.numbers", "moderator.numbers")


def numbers_by_field(doc):
    """``{field: [numbers]}`` for the number lists a conference document holds."""
    found = {}
    for field in NUMBER_FIELDS:
        values = get_path(doc, field, [])
        if isinstance(values, list):
            found[field] = [str(v) for v in values if isinstance(v, (str, int))]
    return found


def all_numbers(doc):
    return {n for values in numbers_by_field(doc).values() for n in values}


def collisions(doc, others):
    """``{field: [numbers used by one of others]}`` for ``doc``'s fields."""
    taken = set()
    for other in others:
        taken |= all_numbers(other)
    clashes = {}
    for field, values in numbers_by_field(doc).items():
        used = sorted({n for n in values if n in taken})
        if used:
            clashes[field] = used
    return clashes


def numbers_in_use_error(clashes):
    """Kazoo's error ("Numbers already in use"), at each field concerned."""
    return {field: {"unique": {"message": "Numbers already in use",
                               "cause": ", ".join(used), "value": used}}
            for field, used in clashes.items()}


def account_limit_error(limit, total):
    """The error for a save that would give the account more than ``limit`` numbers."""
    return {"conference_numbers": {"account_limit": {
        "message": f"An account may hold at most {limit} conference numbers",
        "target": limit, "value": total}}}


def selector_using(numbers):
    """Mango selector for conference documents using any of ``numbers``."""
    return {"pvt_type": "conference",
            "$or": [{field: {"$elemMatch": {"$in": sorted(numbers)}}} for field in NUMBER_FIELDS]}

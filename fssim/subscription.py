"""Which events an ESL connection wants: `event`, `nixevent`, `noevents`, `filter` (pure)."""

FORMATS = ("plain", "json", "xml")


class Subscription:
    def __init__(self):
        self.format = None
        self.all = False
        self.names = set()
        self.subclasses = set()
        self.filters = []

    @property
    def active(self):
        return self.format is not None

    def enable(self, words):
        """`event <format> <names...>` -> the format FreeSWITCH reports back.
        An unknown format word still turns on plain (as recorded)."""
        fmt = words[0].lower() if words else "plain"
        self.format = fmt if fmt in FORMATS else "plain"
        custom = False
        for word in words[1:]:
            upper = word.upper()
            if upper == "ALL":
                self.all = True
            elif upper == "CUSTOM":
                custom = True
            elif custom and "::" in word:
                self.subclasses.add(word)
            else:
                self.names.add(upper)
        return self.format

    def nix(self, words):
        for word in words:
            upper = word.upper()
            if upper == "ALL":
                self.all = False
                self.names.clear()
                self.subclasses.clear()
            else:
                self.names.discard(upper)
                self.subclasses.discard(word)

    def clear(self):
        self.format = None
        self.all = False
        self.names.clear()
        self.subclasses.clear()

    def add_filter(self, header, value):
        self.filters.append((header, value))

    def delete_filter(self, header, value=None):
        self.filters = [(h, v) for h, v in self.filters
                        if not (h == header and (value is None or v == value))]

    def wants(self, event):
        if not self.active:
            return False
        if not self.all:
            if event.subclass:
                if event.subclass not in self.subclasses and "CUSTOM" not in self.names:
                    return False
            elif event.name not in self.names:
                return False
        if self.filters:
            return any(event.get(header) == value for header, value in self.filters)
        return True

"""``sofia status`` tables, in mod_sofia.c's formats (cmd_status), checked against
fixtures round 5 (``sofia_status*.esl``, ``sofia_status_gateway*.esl``)."""

LINE = "=" * 97


def register_to(gateway):
    return f"sip:{gateway.username}@{gateway.proxy}"


def profiles_table(sofia):
    """``sofia status``: profiles (in name order) and their gateways (newest first)."""
    out = ["%25s\t%s\t  %40s\t%s\n" % ("Name", "   Type", "Data", "State"), LINE + "\n"]
    for name in sorted(sofia.profiles):
        profile = sofia.profiles[name]
        out.append("%25s\t%s\t  %40s\t%s (%u)\n" % (name, "profile", profile.url, "RUNNING",
                                                    profile.inuse))
        for gateway in profile.gateways:
            out.append("%25s\t%s\t  %40s\t%s\n" % (f"{name}::{gateway.name}", "gateway",
                                                   register_to(gateway), "NOREG"))
    count = len(sofia.profiles)
    out += [LINE + "\n", "%d profile%s 0 aliases\n" % (count, "" if count == 1 else "s")]
    return "".join(out)


def gateways_table(sofia):
    """``sofia status gateway``: one line per gateway with its call counters."""
    out = ["%25s\t%32s\t%s\t%9s\t%s\t%s\n" % ("Profile::Gateway-Name", "    Data    ", "State",
                                              "Ping Time", "IB Calls(F/T)", "OB Calls(F/T)"),
           LINE + "\n"]
    count = failed = total = 0
    for name in sorted(sofia.profiles):
        for gateway in sofia.profiles[name].gateways:
            count += 1
            failed += gateway.failed_out
            total += gateway.calls_out
            out.append("%25s\t%32s\t%s\t%6.2f\t%u/%u\t%u/%u\n" % (
                f"{name}::{gateway.name}", register_to(gateway), "NOREG", 0.0, 0, 0,
                gateway.failed_out, gateway.calls_out))
    out += [LINE + "\n", "%d gateway%s: Inbound(Failed/Total): %u/%u,"
            "Outbound(Failed/Total):%u/%u\n" % (count, "" if count == 1 else "s", 0, 0,
                                                 failed, total)]
    return "".join(out)


def gateway_detail(sofia, gateway, now):
    """``sofia status gateway <name>``."""
    profile = sofia.profiles.get(gateway.profile)
    contact_host = (profile.url.split("@", 1)[1] if profile else "")
    ping = gateway.ping_freq
    rows = [("Name    ", gateway.name), ("Profile ", gateway.profile), ("Scheme  ", "Digest"),
            ("Realm   ", gateway.realm), ("Username", gateway.username),
            ("Password", "yes" if gateway.params.get("password") else "no"),
            ("From    ", f"<sip:{gateway.username}@{gateway.realm}>"),
            ("Contact ", f"<sip:gw+{gateway.name}@{contact_host};transport=udp;"
                         f"gw={gateway.name}>"),
            ("Exten   ", gateway.params.get("extension") or gateway.username),
            ("To      ", register_to(gateway)), ("Proxy   ", f"sip:{gateway.proxy}"),
            ("Context ", gateway.params.get("context") or "default"), ("Expires ", "3600"),
            ("Freq    ", "3600"), ("Ping    ", str(gateway.next_ping if ping else 0)),
            ("PingFreq", str(ping)), ("PingTime", "0.00"),
            ("PingState", "1/0/1" if ping else "0/0/0"), ("State   ", "NOREG"),
            ("Status  ", gateway.status + (" (ping)" if gateway.pinging else "")),
            ("Uptime  ", "%ds" % (int(now - gateway.added) if gateway.status == "UP" else 0)),
            ("CallsIN ", "0"), ("CallsOUT", str(gateway.calls_out)), ("FailedCallsIN", "0"),
            ("FailedCallsOUT", str(gateway.failed_out))]
    return LINE + "\n" + "".join(f"{key}\t{value}\n" for key, value in rows) + LINE + "\n"

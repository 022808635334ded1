"""ecallmgr: FreeSWITCH conference events -> Kazoo events on the bus."""

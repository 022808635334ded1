"""A deleted account's database is never recreated by a write (issue 17, item 2),
at the store itself, for both backends as the product builds them
(kzcore.store.factory): the embedded one and CouchDB over HTTP (pouchdb-server,
or COUCHDB_URL)."""
import uuid

import pytest

from kzcore.config import load_config
from kzcore.errors import DatabaseMissing
from kzcore.naming import account_db
from kzcore.store.factory import make_store


@pytest.fixture(params=["embedded", pytest.param("couchdb", marks=pytest.mark.couch)])
def product_store(request):
    if request.param == "embedded":
        store = make_store(load_config(env={}, store="embedded", store_path=":memory:"))
    else:
        store = make_store(load_config(env={}, store="couchdb",
                                       couch_url=request.getfixturevalue("couch_url")))
    made = []
    yield store, made
    for db in made:
        store.delete_db(db)
    store.close()


def test_writes_never_create_an_account_database(product_store):
    store, made = product_store
    db = account_db(uuid.uuid4().hex)
    other = f"t{uuid.uuid4().hex[:10]}_index"
    made += [db, other]
    with pytest.raises(DatabaseMissing):             # never created: no write creates it
        store.save(db, {"_id": "conf", "pvt_type": "conference"})
    store.create_db(db)                              # an account's creation does
    saved = store.save(db, {"_id": "conf", "pvt_type": "conference"})
    store.delete_db(db)                              # the account is deleted
    for write in (lambda: store.save(db, {"_id": "conf", "pvt_type": "conference"}),
                  lambda: store.save(db, {"_id": "new", "pvt_type": "conference"}),
                  lambda: store.put_attachment(db, "conf", saved["_rev"], "a.wav", b"RIFF",
                                               "audio/wav"),
                  lambda: store.put_attachment(db, "new", None, "a.wav", b"RIFF",
                                               "audio/wav")):
        with pytest.raises(DatabaseMissing):
            write()
        assert not store.db_exists(db)
    store.save(other, {"_id": "7000"})               # other databases still come on first write
    assert store.db_exists(other)

"""/v2/docs: served without a token with the vendored Swagger UI (pinned version,
checksums as vendored), and documented as a public operation."""
import hashlib
import pathlib

from crossbar import docs_page

VENDOR = pathlib.Path(docs_page.DOCS_DIR) / "vendor" / "swagger-ui"


def test_page_and_assets_are_served_without_a_token(api):
    page = api.client.get("/v2/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    html = page.get_data(as_text=True)
    assert "/docs/vendor/swagger-ui/swagger-ui-bundle.js" in html
    assert "http" not in html and "//" not in html   # nothing from another origin
    for asset in ("/docs/docs.js", "/docs/vendor/swagger-ui/swagger-ui-bundle.js",
                  "/docs/vendor/swagger-ui/swagger-ui.css"):
        assert api.client.get(asset).status_code == 200, asset
    assert api.client.get("/docs/../app.py").status_code == 404


def test_vendored_files_are_the_pinned_release():
    assert docs_page.SWAGGER_UI_VERSION in (VENDOR / "VERSION").read_text()
    assert "Apache License" in (VENDOR / "LICENSE").read_text()
    for line in (VENDOR / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split()
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name


def test_docs_operation_is_public(api):
    document = api.client.get("/v2/openapi.json").get_json()
    assert document["paths"]["/v2/docs"]["get"]["security"] == []

"""/v2/docs in headless Chromium: the vendored Swagger UI renders the whole
description (every operation listed), nothing is fetched from another origin and
the page's CSP holds (the page fixture fails on JavaScript or CSP errors)."""
from urllib.parse import urlsplit

import pytest
import requests

pytestmark = pytest.mark.browser


def test_docs_page_renders_every_operation_from_crossbar_alone(page, stack):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    document = requests.get(f"{stack.base_url}/v2/openapi.json", timeout=10).json()
    operation_ids = {op["operationId"] for item in document["paths"].values()
                     for op in item.values()}
    page.goto(f"{stack.base_url}/v2/docs")
    page.wait_for_selector(".opblock", timeout=20000)
    rendered = page.locator(".opblock").count()
    assert rendered == len(operation_ids), (rendered, len(operation_ids))
    assert page.locator(".opblock-summary-path", has_text="/v2/accounts/{account_id}/conferences") \
        .count() >= 2
    assert "crossbar (Kazoo-compatible conference API)" in page.locator(".title").inner_text()
    origin = urlsplit(stack.base_url).netloc
    assert {urlsplit(url).netloc for url in requested if url.startswith("http")} == {origin}

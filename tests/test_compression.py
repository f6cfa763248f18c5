"""Pages and text downloads are gzipped for browsers that accept it (issue 15: /dashboard/ at national size
was 678 KB, 27 KB gzipped); files that are compressed already, and downloads streamed from storage, are not.
Database connections are kept between requests, and checked before they are used again."""

import gzip

import pytest
from django.conf import settings
from django.urls import reverse

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        reverse("responses:comparison"),
        reverse("authorities:detail", args=["darlington"]),
        reverse("responses:council_export", args=["darlington", "csv"]),
    ],
)
def test_a_page_or_a_csv_is_sent_gzipped_to_a_browser_that_accepts_it(officer_client, url):
    plain = officer_client.get(url)
    packed = officer_client.get(url, **GZIP)
    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    unpacked = gzip.decompress(packed.content)
    assert len(packed.content) < len(unpacked) / 3
    if url.endswith(".csv"):
        assert unpacked == plain.content
    else:
        # The same page but for the CSRF token, which is masked afresh in every response.
        assert unpacked.decode().split("<title>")[1][:80] == plain.content.decode().split("<title>")[1][:80]
        assert len(unpacked) == pytest.approx(len(plain.content), abs=200)


@pytest.mark.django_db
def test_an_excel_download_is_not_gzipped_again(officer_client):
    response = officer_client.get(reverse("responses:council_export", args=["darlington", "xlsx"]), **GZIP)
    assert response.status_code == 200
    assert "Content-Encoding" not in response
    assert response.content[:2] == b"PK"


def test_connections_are_kept_for_a_minute_and_checked_before_reuse():
    database = settings.DATABASES["default"]
    assert database["CONN_MAX_AGE"] == 60
    assert database["CONN_HEALTH_CHECKS"] is True


@pytest.mark.parametrize(
    "streamed, compressed",
    [(False, True), (True, False)],
)
def test_a_streamed_download_keeps_its_length_and_is_never_gzipped(rf, streamed, compressed):
    """CompressPagesMiddleware on its own: a text answer built in memory is gzipped; one streamed (a file
    from storage) is sent as it is, with its Content-Length, whatever its type."""
    from django.http import HttpResponse, StreamingHttpResponse

    from laming.middleware import CompressPagesMiddleware

    body = b"Council,Recommendation,Status\n" * 200
    if streamed:
        answer = StreamingHttpResponse(iter([body]), content_type="text/csv")
        answer["Content-Length"] = str(len(body))
    else:
        answer = HttpResponse(body, content_type="text/csv")
    result = CompressPagesMiddleware(lambda request: answer)(rf.get("/", HTTP_ACCEPT_ENCODING="gzip"))
    assert (result.get("Content-Encoding") == "gzip") is compressed
    if streamed:
        assert result["Content-Length"] == str(len(body))
        assert b"".join(result.streaming_content) == body

"""The 404 and 500 pages match the site; the 500 page renders with no context and no query."""

import pytest
from django.test import Client, RequestFactory
from django.views.defaults import server_error

from accounts.testing import PASSWORD


@pytest.mark.django_db
def test_404_page_uses_the_site_layout(user):
    client = Client()
    page = client.get("/no/such/page/")
    assert page.status_code == 404
    html = page.content.decode()
    assert "Nothing here" in html
    assert 'class="site-header"' in html
    assert "Log in" in html
    assert client.login(email=user.email, password=PASSWORD)
    assert "Your torrents" in client.get("/no/such/page/").content.decode()


def test_500_page_needs_no_database_nor_context():
    # No django_db mark: any query would raise "Database access not allowed".
    response = server_error(RequestFactory().get("/boom"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something broke on our side" in html
    assert "css/site.css" in html

"""A feed URL cannot make the poller fetch from this machine or the campus network."""

import pytest

from beian.compliance.activity import FeedError, poll_feeds, refuse_private_address
from beian.compliance.models import FeedState


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/admin/",
        "http://localhost/feed.xml",
        "http://10.1.2.3/feed",
        "http://192.168.0.1/feed",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/feed",
    ],
)
def test_private_and_loopback_addresses_are_refused(settings, url):
    settings.BEIAN_FEEDS_ALLOW_PRIVATE = False
    with pytest.raises(FeedError, match="本机或内网"):
        refuse_private_address(url)


def test_a_deployment_may_allow_an_internal_feed_gateway(settings):
    settings.BEIAN_FEEDS_ALLOW_PRIVATE = True
    refuse_private_address("http://10.1.2.3/feed")  # no error


@pytest.mark.django_db
def test_polling_an_internal_address_records_the_refusal(settings, cast):
    settings.BEIAN_FEEDS_ALLOW_PRIVATE = False
    cast.cs_account.feed_url = "http://127.0.0.1:9/feed.xml"
    cast.cs_account.save()
    stats = poll_feeds()
    assert stats.failed == 1
    state = FeedState.objects.get(account=cast.cs_account)
    assert "本机或内网" in state.last_error
    cast.cs_account.refresh_from_db()
    assert cast.cs_account.last_post_date is None

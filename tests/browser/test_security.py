"""The Content-Security-Policy in a real browser: nothing the site's own pages do is refused, for
readers (home, article, replying and posting a comment with JavaScript) or staff (two-factor
sign-in, the moderation queue's keys, the admin's forms and lists)."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django_otp.oath import TOTP
from playwright.sync_api import expect

from tests.factories import ArticleFactory, CommentFactory, SuperuserFactory, TOTPDeviceFactory

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _instant_readers(settings):
    settings.COMMENT_MIN_FILL_SECONDS = 0


@pytest.fixture
def refused():
    """Everything the browser refused or complained about, from every page of the test."""
    return []


@pytest.fixture
def watched_page(new_page, refused):
    page = new_page()
    # Reported from inside the page by a binding of Playwright's own, which no policy limits.
    page.context.expose_binding("reportViolation", lambda _source, text: refused.append(text))
    page.context.add_init_script(
        "document.addEventListener('securitypolicyviolation', (event) => "
        "window.reportViolation(`${event.violatedDirective} ${event.blockedURI}`));"
    )
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.on("pageerror", lambda error: refused.append(str(error)))
    return page


@pytest.fixture
def article(live_server):
    article = ArticleFactory(title="日韓首脳が会談、協力の継続を確認")
    CommentFactory(article=article, body="詳しくは https://news.example.org/a を参照")
    return article


@pytest.fixture
def chief(live_server):
    """A superuser with an authenticator app, in the Moderators group (data migrations do not
    survive a live-server test's flush)."""
    user = SuperuserFactory(username="chief", password=PASSWORD)
    moderators, _created = Group.objects.get_or_create(name="Moderators")
    moderators.permissions.add(Permission.objects.get(codename="moderate_comment"))
    user.groups.add(moderators)
    return user, TOTPDeviceFactory(user=user)


def test_a_reader_reads_and_comments_without_anything_refused(watched_page, article, refused):
    page = watched_page
    page.goto("/")
    page.get_by_role("link", name=article.title).first.click()
    page.get_by_role("link", name="返信").first.click()
    page.locator("#comment-form textarea").press_sequentially("賛成です。")
    page.get_by_role("button", name="コメントを投稿").click()

    expect(page.locator(".comment__message")).to_be_visible()
    assert refused == []


def test_staff_sign_in_moderate_and_edit_without_anything_refused(
    watched_page, article, chief, refused
):
    user, device = chief
    page = watched_page
    page.goto(reverse("moderation:queue"))
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    page.get_by_label("6桁の確認コード").fill(f"{totp.token():06d}")
    page.get_by_role("button", name="確認").click()
    expect(page.get_by_role("heading", name="コメント管理")).to_be_visible()
    page.keyboard.press("j")
    page.goto(reverse("admin:articles_article_add"))
    page.locator("#id_original_title").press_sequentially("Leaders meet in Tokyo")
    expect(page.locator("#id_slug")).to_have_value("leaders-meet-in-tokyo")
    page.goto(reverse("admin:comments_moderationaction_changelist"))
    page.goto(reverse("admin:otp_totp_totpdevice_changelist"))

    assert refused == []

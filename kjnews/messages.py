"""Flash messages (a comment's confirmation) in a cookie named like the site's others.

Django's cookie storage always calls its cookie "messages"; on an HTTPS site ours is
`__Host-messages` (kjnews/cookies.py). Staff with a session keep theirs in the session when the
cookie is full, as with Django's own fallback storage.
"""

from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.messages.storage.session import SessionStorage

from kjnews.cookies import cookie_name

MESSAGES_COOKIE = "messages"


class HostCookieStorage(CookieStorage):
    @property
    def cookie_name(self):
        return cookie_name(MESSAGES_COOKIE)


class MessageStorage(FallbackStorage):
    storage_classes = (HostCookieStorage, SessionStorage)

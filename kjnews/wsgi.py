import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kjnews.settings")

application = get_wsgi_application()

# gunicorn does not run Django's system checks: a broken setting stops start-up here.
from kjnews.startup import refuse_to_start_on_check_errors  # noqa: E402

refuse_to_start_on_check_errors()

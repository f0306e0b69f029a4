from django.contrib.messages import get_messages

# Messages about one item on the page (a comment just posted, deleted or reported) carry this tag
# and are shown next to that item, where the reader lands, instead of at the top of the page.
INLINE_MESSAGE_TAG = "inline"


def page_messages(request):
    """The messages for the top of the page: everything not shown next to an item."""
    return {
        "page_messages": [
            message
            for message in get_messages(request)
            if INLINE_MESSAGE_TAG not in message.extra_tags.split()
        ]
    }

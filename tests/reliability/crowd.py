"""Many readers posting to one article at the same moment, through a live site."""

import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from tests.servers import readers


@dataclass
class CrowdResult:
    statuses: Counter = field(default_factory=Counter)
    # Body of every post the site accepted (answered with a redirect to the comment).
    accepted: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    # From the moment all posts were sent to the last answer.
    seconds: float = 0.0

    def summary(self) -> str:
        answers = ", ".join(f"{status}: {n}" for status, n in sorted(self.statuses.items()))
        return f"{answers} in {self.seconds:.1f} s"


def crowd_post(site_url: str, article_path: str, *, posters: int, fill_seconds: float):
    """Every poster opens the article, writes for `fill_seconds`, and all send at one moment."""
    crowd = readers(site_url, posters)
    forms = [reader.open_comment_form(article_path) for reader in crowd]
    time.sleep(fill_seconds)
    result = CrowdResult()
    # The same text from the same poster is refused as a duplicate, on any article: each crowd
    # writes its own.
    run = secrets.token_hex(3)
    lock = threading.Lock()
    start = threading.Barrier(posters)

    def post(index):
        body = f"同時投稿のテスト{run}：読者{index}のコメントです。"
        start.wait()
        try:
            response = crowd[index].post_comment(article_path, forms[index], body=body)
        except OSError as error:
            with lock:
                result.failures.append(f"reader {index}: {error!r}")
            return
        with lock:
            result.statuses[response.status] += 1
            if response.status == 302:
                result.accepted.append(body)

    threads = [threading.Thread(target=post, args=(i,)) for i in range(posters)]
    for thread in threads:
        thread.start()
    started = time.monotonic()
    for thread in threads:
        thread.join(timeout=120)
    result.seconds = time.monotonic() - started
    return result

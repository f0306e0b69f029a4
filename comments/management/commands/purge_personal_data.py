from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from comments.retention import personal_data_label, personal_data_purge


class Command(BaseCommand):
    help = (
        "Remove poster hashes, encrypted sender records and deletion-key hashes from comments, "
        "and reporter hashes from reports, older than PERSONAL_DATA_RETENTION_DAYS; delete bans "
        "that ended longer ago than that. Comments and reports themselves are kept. Safe to run "
        "again at any time, e.g. daily from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be removed; change nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        try:
            result = personal_data_purge(dry_run=dry_run)
        except ValueError as error:
            raise CommandError(
                _("PERSONAL_DATA_RETENTION_DAYS must be at least 1 (it is %(days)s).")
                % {"days": settings.PERSONAL_DATA_RETENTION_DAYS}
            ) from error
        counts = {
            "days": settings.PERSONAL_DATA_RETENTION_DAYS,
            "cutoff": date_format(timezone.localtime(result.cutoff), "Y-m-d H:i T"),
            "comments": result.comments,
            "reports": result.reports,
            "bans": result.bans,
        }
        if dry_run:
            message = _(
                "Dry run, nothing changed. Personal data older than %(days)s days (before "
                "%(cutoff)s) would be removed. Comments: %(comments)d, reports: %(reports)d, "
                "expired bans to delete: %(bans)d."
            )
        else:
            message = _(
                "Personal data older than %(days)s days (before %(cutoff)s) removed. "
                "Comments: %(comments)d, reports: %(reports)d, expired bans deleted: %(bans)d."
            )
        self.stdout.write(self.style.SUCCESS(message % counts))
        self.stdout.write(
            _("Reactions older than that (their counts stay): %(reactions)d.")
            % {"reactions": result.reactions}
        )
        for name, count in result.others.items():
            if dry_run:
                line = _("Personal data that would be removed from %(label)s: %(count)d.")
            else:
                line = _("Personal data removed from %(label)s: %(count)d.")
            self.stdout.write(line % {"label": personal_data_label(name), "count": count})

import getpass
import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from comments.disclosure import key_id, private_key_pem, public_key_text


class Command(BaseCommand):
    help = (
        "Make a key pair for sealed sender records: write the private key to a new file "
        "readable by its owner only (passphrase optional), and print the public key for "
        "DISCLOSURE_PUBLIC_KEY. Keep the private key offline; the web servers get only the "
        "public key."
    )
    # It must run while a malformed DISCLOSURE_PUBLIC_KEY fails the checks: it makes the fix.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("private_key_file", help="Where to write the private key (new file).")
        passphrase = parser.add_mutually_exclusive_group()
        passphrase.add_argument(
            "--passphrase",
            action="store_true",
            help="Ask for a passphrase (twice) and encrypt the private key with it.",
        )
        passphrase.add_argument(
            "--passphrase-file",
            help="Encrypt the private key with the passphrase on this file's first line.",
        )

    def handle(self, *args, private_key_file, passphrase=False, passphrase_file=None, **options):
        path = Path(private_key_file)
        secret = self._passphrase(ask=passphrase, file=passphrase_file)
        key = X25519PrivateKey.generate()
        try:
            # O_EXCL: an existing file may be the only copy of an older private key.
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise CommandError(
                _("%(path)s exists: it is not overwritten (it may hold an older private key).")
                % {"path": path}
            ) from None
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from None
        with os.fdopen(descriptor, "wb") as file:
            file.write(private_key_pem(key, secret))
        os.chmod(path, 0o600)  # whatever the umask
        protection = _("with a passphrase") if secret else _("without a passphrase")
        self.stdout.write(
            _(
                "Private key of the key pair %(key_id)s written to %(path)s (mode 0600, "
                "%(protection)s). Move it off this machine to where disclosure requests are "
                "handled (docs/operations.md), and never put it on a web server. Keep it as long "
                "as any record sealed to it is within PERSONAL_DATA_RETENTION_DAYS."
            )
            % {"key_id": key_id(key), "path": path, "protection": protection}
        )
        self.stdout.write(_("Put this line in the web servers' environment (.env):"))
        self.stdout.write(f"DISCLOSURE_PUBLIC_KEY={public_key_text(key.public_key())}")

    def _passphrase(self, *, ask: bool, file: str | None) -> str:
        if file:
            lines = Path(file).read_text().splitlines()
            secret = lines[0] if lines else ""
            if not secret:
                raise CommandError(_("The passphrase file is empty."))
            return secret
        if not ask:
            return ""
        secret = getpass.getpass(_("Passphrase for the private key: "))
        if not secret:
            raise CommandError(_("An empty passphrase protects nothing: leave out --passphrase."))
        if getpass.getpass(_("The same passphrase again: ")) != secret:
            raise CommandError(_("The two passphrases differ; nothing was written."))
        return secret

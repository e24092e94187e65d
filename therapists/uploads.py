"""CSV files waiting between an import's preview and its confirmation.

django-import-export keeps the uploaded file while the user reads the dry run,
then the confirmation form names it again. Its default keeps the file in the
server's temp folder under a name the browser sends back, so a forged name read
and then deleted any file there. Here each upload gets a random name inside a
private folder (`IMPORT_UPLOAD_DIR`), and the browser only ever holds that name
signed for the user who uploaded it, for `IMPORT_UPLOAD_MAX_AGE` seconds. Uploads
nobody confirmed are removed when the next one arrives.
"""

import re
import time
import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.core import signing
from django.utils.translation import gettext_lazy as _
from import_export.forms import ConfirmImportForm
from import_export.tmp_storages import BaseStorage

UPLOAD_NAME = re.compile(r"[0-9a-f]{32}")
SIGNING_SALT = "therapists.uploads"

UPLOAD_GONE = _("This upload has expired or was already imported. Upload the file again.")
UPLOAD_NOT_YOURS = _("This upload cannot be confirmed. Upload the file again.")
UNKNOWN_FORMAT = _("Unknown file format. Upload the file again as CSV.")


def upload_folder() -> Path:
    return Path(settings.IMPORT_UPLOAD_DIR)


def remove_abandoned_uploads(now: float | None = None) -> int:
    """Delete uploads older than IMPORT_UPLOAD_MAX_AGE; returns how many."""
    oldest = (time.time() if now is None else now) - settings.IMPORT_UPLOAD_MAX_AGE
    removed = 0
    for path in upload_folder().glob("*"):
        try:
            if UPLOAD_NAME.fullmatch(path.name) and path.stat().st_mtime < oldest:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # another worker removed it first
            continue
    return removed


class UploadStorage(BaseStorage):
    """django-import-export's temporary storage (`tmp_storage_class`), in our private folder."""

    def path(self) -> Path:
        if not self.name or not UPLOAD_NAME.fullmatch(self.name):
            raise FileNotFoundError("not an upload name")
        return upload_folder() / self.name

    def save(self, data: bytes) -> None:
        folder = upload_folder()
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        remove_abandoned_uploads()
        self.name = uuid.uuid4().hex
        self.path().write_bytes(data)

    def read(self):
        if "b" in self.read_mode:
            return self.path().read_bytes()
        return self.path().read_text(encoding=self.encoding)

    def remove(self) -> None:
        self.path().unlink(missing_ok=True)

    def exists(self) -> bool:
        try:
            return self.path().is_file()
        except FileNotFoundError:
            return False


def sign_upload(name: str, user) -> str:
    """The upload's name as the confirmation form carries it: valid for this user only."""
    return signing.dumps(name, salt=f"{SIGNING_SALT}:{user.pk}")


class ConfirmUploadForm(ConfirmImportForm):
    """The import's confirmation: accepts only an upload of this user's, still there,
    and one of the offered formats; anything else is a plain error, never a crash."""

    def __init__(self, *args, user, format_count: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.format_count = format_count

    def clean_import_file_name(self) -> str:
        try:
            name = signing.loads(
                self.cleaned_data["import_file_name"],
                salt=f"{SIGNING_SALT}:{self.user.pk}",
                max_age=settings.IMPORT_UPLOAD_MAX_AGE,
            )
        except signing.SignatureExpired:
            raise forms.ValidationError(UPLOAD_GONE) from None
        except signing.BadSignature:
            raise forms.ValidationError(UPLOAD_NOT_YOURS) from None
        if not isinstance(name, str) or not UploadStorage(name=name).exists():
            raise forms.ValidationError(UPLOAD_GONE)
        return name

    def clean_format(self) -> str:
        value = self.cleaned_data["format"]
        if value not in {str(index) for index in range(self.format_count)}:
            raise forms.ValidationError(UNKNOWN_FORMAT)
        return value

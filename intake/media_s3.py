"""Photos kept in an S3-compatible bucket (MEDIA_STORE=s3) instead of on disk.

The object is the stripped photo under the same unguessable name, with its Content-Type.
Its URL is MEDIA_S3_PUBLIC_URL/<name> when the bucket is served publicly (a CDN or a
public-read bucket), else a presigned GET valid MEDIA_S3_URL_DAYS (7 at most: SigV4's
limit), so a city's staff can open it for a week. Credentials come from boto3's usual
places (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, a profile, an instance role), never from
here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import boto3
import httpx
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from .media import CONTENT_TYPES, TIMEOUT, NotStored, PhotoStore

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

MAX_URL_DAYS = 7


class S3MediaStore(PhotoStore):
    """Fetch and strip as on disk; put the photo in a bucket; link to it there."""

    def __init__(self, bucket: str, secret: str, auth: tuple[str, str] | None = None, *,
                 endpoint_url: str | None = None, public_url: str | None = None,
                 url_days: float = MAX_URL_DAYS, http: httpx.Client | None = None,
                 timeout: float = TIMEOUT) -> None:
        super().__init__(secret, auth, http, timeout)
        self.bucket = bucket
        self.public_url = public_url.rstrip("/") if public_url else None
        self.expires = int(min(url_days, MAX_URL_DAYS) * 86400)
        options: dict[str, Any] = {"signature_version": "s3v4", "connect_timeout": 5,
                                   "read_timeout": 10,
                                   "retries": {"max_attempts": 2}}
        if endpoint_url:  # MinIO, Ceph, R2...: bucket in the path, not in the host name
            options["s3"] = {"addressing_style": "path"}
        self.client: S3Client = boto3.client("s3", endpoint_url=endpoint_url or None,
                                             config=Config(**options))

    def _publish(self, name: str, body: bytes) -> str:
        try:
            self.client.put_object(Bucket=self.bucket, Key=name, Body=body,
                                   ContentType=CONTENT_TYPES[name.rsplit(".", 1)[1]],
                                   CacheControl="max-age=86400")
            if self.public_url:
                return f"{self.public_url}/{name}"
            return self.client.generate_presigned_url(
                "get_object", Params={"Bucket": self.bucket, "Key": name},
                ExpiresIn=self.expires)
        except (BotoCoreError, ClientError) as exc:
            raise NotStored(f"bucket {self.bucket}: {type(exc).__name__}") from exc

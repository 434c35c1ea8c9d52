"""Uploaded files in an S3-compatible object store (INSIEME_S3_BUCKET, django-storages).

No S3 service installs on these machines, so the store is moto's standalone server (a real
HTTP server speaking the S3 protocol, started on loopback by the test); the application talks
to it over the network exactly as it would to AWS S3 or MinIO.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from insieme.cases.models import Attachment

from .conftest import file_request, png_bytes

BUCKET = "insieme-media-test"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    exe = Path(sys.executable).with_name("moto_server")
    if not exe.exists() and not shutil.which("moto_server"):
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("moto_server (moto[server], a dev dependency) is needed in CI")
        pytest.skip("moto_server is not installed (pip install 'moto[server]')")
    port = _free_port()
    proc = subprocess.Popen(  # noqa: S603 - our own dev dependency
        [
            str(exe if exe.exists() else shutil.which("moto_server")),
            "-H",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    import boto3

    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **CREDENTIALS)
    try:
        for _ in range(100):
            try:
                client.list_buckets()
                break
            except Exception:  # noqa: BLE001 - not listening yet
                time.sleep(0.1)
        client.create_bucket(Bucket=BUCKET)
        yield endpoint, client
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def s3_media(settings, s3_endpoint, tmp_path):
    endpoint, client = s3_endpoint
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": endpoint,
                "region_name": "us-east-1",
                "access_key": CREDENTIALS["aws_access_key_id"],
                "secret_key": CREDENTIALS["aws_secret_access_key"],
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
            },
        },
    }
    settings.MEDIA_ROOT = str(tmp_path / "local-media")  # must stay empty
    return client


def test_a_photo_goes_to_the_object_store_and_comes_back_through_the_site(
    client, world, s3_media, settings
):
    photo = SimpleUploadedFile("hole.png", png_bytes(), content_type="image/png")
    response = file_request(client, world, media=photo)
    assert response.status_code == 200, response.content
    attachment = Attachment.objects.get()
    stored = s3_media.get_object(Bucket=BUCKET, Key=attachment.file.name)["Body"].read()
    assert stored[:8] == b"\x89PNG\r\n\x1a\n"
    assert not list(Path(settings.MEDIA_ROOT).rglob("*.png"))  # nothing on the local disk
    # Private in the store: an anonymous GET of the object's own address is refused.
    import urllib.error
    import urllib.request

    plain = f"{s3_media.meta.endpoint_url}/{BUCKET}/{attachment.file.name}"
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(plain, timeout=5)  # noqa: S310 - loopback test server
    # Staff make it public; the public page streams it from the store.
    Attachment.objects.filter(pk=attachment.pk).update(is_public=True)
    case = attachment.case
    type(case).objects.filter(pk=case.pk).update(is_public=True)
    url = f"/cases/montalto/{case.reference}/attachments/{attachment.pk}/"
    answer = client.get(url)
    assert answer.status_code == 200, answer.status_code
    assert b"".join(answer.streaming_content) == stored
    # Deleting the attachment's file (as erasure does) removes the object.
    key = attachment.file.name
    keys = [o["Key"] for o in s3_media.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
    assert key in keys
    attachment.file.delete(save=False)
    keys = [o["Key"] for o in s3_media.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
    assert key not in keys


@pytest.mark.once
def test_the_environment_switches_uploads_to_the_store(tmp_path):
    """INSIEME_S3_* in the environment give django-storages' S3 backend, private objects, the
    keys read from files where the deployment keeps them (NAME_FILE)."""
    import json

    secret = tmp_path / "s3-secret"
    secret.write_text("from-a-file\n")
    env = {
        **os.environ,
        "INSIEME_S3_BUCKET": "city-media",
        "INSIEME_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
        "INSIEME_S3_ACCESS_KEY_ID": "key-id",
        "INSIEME_S3_SECRET_ACCESS_KEY_FILE": str(secret),
    }
    env.pop("INSIEME_S3_SECRET_ACCESS_KEY", None)
    code = "import json; from django.conf import settings; print(json.dumps(settings.STORAGES))"
    exe = Path(sys.executable).with_name("insieme")
    out = subprocess.run(  # noqa: S603 - our own command
        [str(exe), "shell", "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    default = json.loads(out.stdout.strip().splitlines()[-1])["default"]
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    options = default["OPTIONS"]
    assert options["bucket_name"] == "city-media"
    assert options["endpoint_url"] == "http://127.0.0.1:9000"
    assert options["secret_key"] == "from-a-file"
    assert options["default_acl"] == "private" and options["file_overwrite"] is False

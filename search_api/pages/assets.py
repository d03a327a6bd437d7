"""Static assets under content-hashed names (`/static/style.3f9a0c12be.css`), so browsers
may keep them for a year: a changed file gets a new name, computed at start-up."""

from __future__ import annotations

import hashlib
import mimetypes
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, PlainTextResponse, Response

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
IMMUTABLE = "public, max-age=31536000, immutable"


class Assets:
    """Maps `style.css` to `style.<hash>.css` and back, for every file in the static folder."""

    def __init__(self, directory: Path = STATIC_DIR) -> None:
        self.directory = directory
        self.hashed: dict[str, str] = {}  # plain name -> hashed name
        self.files: dict[str, Path] = {}  # hashed name -> file
        for path in sorted(p for p in directory.rglob("*") if p.is_file()):
            name = path.relative_to(directory).as_posix()
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
            stem, dot, suffix = name.rpartition(".")
            hashed = f"{stem}.{digest}.{suffix}" if dot else f"{name}.{digest}"
            self.hashed[name] = hashed
            self.files[hashed] = path
        self.plain = {name: self.files[hashed] for name, hashed in self.hashed.items()}

    def url(self, name: str) -> str:
        """The URL of a static file; a KeyError for a file that is not there, so a typo in a
        template fails its first render instead of serving a broken page."""
        return f"/static/{self.hashed[name]}"

    def response(self, name: str) -> Response:
        path = self.files.get(name)
        if path is not None:
            return _file(path, IMMUTABLE)
        if name in self.plain:  # the unhashed name still works, but must be revalidated
            return _file(self.plain[name], "no-cache")
        return PlainTextResponse("not found", status_code=404)


router = APIRouter(include_in_schema=False)


@router.get("/static/{name:path}")
def static(name: str, request: Request) -> Response:
    assets: Assets = request.app.state.assets
    return assets.response(name)


def _file(path: Path, cache_control: str) -> FileResponse:
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if media_type.startswith("text/") or media_type in ("application/javascript", "image/svg+xml"):
        media_type += "; charset=utf-8"
    return FileResponse(
        path,
        media_type=media_type,
        headers={"Cache-Control": cache_control, "X-Content-Type-Options": "nosniff"},
    )

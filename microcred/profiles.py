"""Where mapping profiles come from, beside the ones bundled in normaliser/profiles: a file
path (the command line), the profiles folder (`MICROCRED_PROFILES_DIR`, by default
`<data dir>/profiles`), and profiles providers register through the API (stored in the
catalogue, named `<provider>/<name>`).

Loaded and validated on every use, so a profile edited in the folder takes effect on the
next feed, and a broken one fails that feed with its errors (file, key, line), never the
process.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from normaliser.readers.profiles import (
    MappingProfile,
    MappingProfileError,
    UnknownProfileError,
    bundled_profile,
    bundled_profile_names,
    is_profile_name,
    load_profile,
)
from normaliser.readers.registry import FeedReaders, is_profile_path

# A registered profile's text by (provider id, profile name), or None.
RegisteredLookup = Callable[[str, str], str | None]


def load_profile_file(path: Path) -> MappingProfile:
    """The profile in the TOML file at `path`; MappingProfileError naming the file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnknownProfileError(
            f"cannot read the mapping profile file {str(path)!r}: {exc.strerror or exc}"
        ) from None
    return load_profile(data, origin=str(path))


@dataclass(frozen=True)
class ProfileLibrary:
    """Finds the profile a `profile:<reference>` names. Picklable (a path and, for
    registered profiles, a module-level lookup), so worker processes use it too."""

    profiles_dir: Path | None = None
    registered: RegisteredLookup | None = None

    def find(self, reference: str) -> MappingProfile:
        if is_profile_path(reference):
            return load_profile_file(Path(reference).expanduser())
        name = reference.strip().lower()
        if "/" in name:
            return self._registered(name)
        if self.profiles_dir is not None and is_profile_name(name):
            path = self.profiles_dir / f"{name}.toml"
            if path.is_file():
                profile = load_profile_file(path)
                if profile.name != name:
                    raise MappingProfileError(
                        f"{path}: name = {profile.name!r}, but a profile in the profiles "
                        f"folder is named by its file name; set name = {name!r}"
                    )
                return profile
        try:
            return bundled_profile(name)
        except UnknownProfileError:
            raise UnknownProfileError(
                f"there is no mapping profile called {reference!r}; the profiles are: "
                f"{', '.join(self.names()) or 'none'} (or a registered one, as "
                "profile:<provider>/<name>, or a file, as profile:PATH.toml)"
            ) from None

    def names(self) -> list[str]:
        """Bundled and folder profile names, sorted; a folder profile hides a bundled one."""
        names = set(bundled_profile_names())
        if self.profiles_dir is not None and self.profiles_dir.is_dir():
            names |= {p.stem for p in self.profiles_dir.glob("*.toml") if is_profile_name(p.stem)}
        return sorted(names)

    def _registered(self, reference: str) -> MappingProfile:
        provider_id, _, name = reference.partition("/")
        text = self.registered(provider_id, name) if self.registered is not None else None
        if text is None:
            raise UnknownProfileError(
                f"provider {provider_id!r} has registered no mapping profile called {name!r} "
                f"(PUT /v1/providers/{provider_id}/profiles/{name} registers one)"
            )
        return load_profile(text, origin=f"profile {name!r} registered by {provider_id!r}")

    def readers(self, *, allow_paths: bool = False) -> FeedReaders:
        return FeedReaders(self.find, allow_paths=allow_paths)

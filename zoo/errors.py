"""Every error zoo raises on purpose. Each message names what was wrong and how to fix it."""

from __future__ import annotations


class ZooError(Exception):
    """Base class of every error zoo raises on purpose."""


class UnknownModelError(ZooError, KeyError):
    """A model name or weights tag that the registry or manifest does not know."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class BackendNotInstalledError(ZooError, ImportError):
    """The framework for the requested backend is not installed."""


class ConfigError(ZooError, ValueError):
    """A config override or config file with unknown keys or bad values."""


class RecipeError(ZooError, ValueError):
    """A training recipe with unknown keys, missing keys or bad values."""


class ConversionError(ZooError, ValueError):
    """Weights that do not match a conversion rule table (missing, unexpected, wrong shape)."""


class HubError(ZooError):
    """A hub repo, revision or file that does not exist or cannot be written."""


class WeightsError(ZooError):
    """Missing, corrupt or mismatched weight files (names the file and the fix)."""


class ManifestError(ZooError):
    """A weights_manifest entry that does not follow the schema."""


class DatasetError(ZooError):
    """An image folder, image file or dataset split that is missing, empty or unreadable."""


class VocabError(ZooError, ValueError):
    """A vocabulary, or a vocabulary file, that is malformed or used with bad arguments."""


class CorpusError(ZooError, ValueError):
    """A parallel-corpus file that is missing, unreadable or has a malformed line."""

"""reporter: Exec roleplay-training results in, coaching reports out."""

from __future__ import annotations

__version__ = "0.1.0"

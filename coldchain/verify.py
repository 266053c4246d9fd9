"""Kept for old imports: the checker is now the package `coldchain.check`."""

from coldchain.check import Violation, check_folder, check_plan

__all__ = ["Violation", "check_folder", "check_plan"]

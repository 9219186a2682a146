"""Whose data a request touches.

Until accounts exist, every request acts for the one local learner that the first
migration creates; every row and query already carries this owner.
"""

from __future__ import annotations

from uuid import UUID

LOCAL_OWNER = UUID("00000000-0000-0000-0000-000000000001")

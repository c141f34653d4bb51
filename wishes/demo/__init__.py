"""Demo micro-wishes: ~600 wishes of the last 120 days in the demo's communities.

Most are in 府街, 海棠, 柏杨 and 斑竹湾 communities (乐山市市中区), the rest in other
communities of 海棠街道 (entered from their 17 mailboxes), 张公桥街道 and 柏杨街道, and in
分宜县's 铃城街道. Each wish follows a scripted history: submitted on the web form or
recorded by staff (mailbox, office day, phone, walk-in), accepted, claimed by a party
member, volunteer team, paired unit (双报到单位) or caring merchant (爱心商家), escalated to
the street and the service centre, resolved, rated (mostly 4–5), reopened, rejected or
withdrawn. At load time every status is present, some wishes are overdue.

The histories are replayed in time order through ``wishes.services`` and, every hour
it has work, ``wishes.tasks.sweep``, with :func:`demo_clock` setting
``governance.clock.now`` (and ``django.utils.timezone.now``, for the ``auto_now``
columns) to each moment and the demo staff logins (``communities.demo.LOGINS``) as
actors: the audit trail, notifications, reminders, overdue notices and automatic
escalations are the ones the portal writes, at the times they would have been
written. Texts to residents and notification e-mails are not queued: they are
history, and the demo's mobile numbers (1380000xxxx, merchants 1390000xxxx) are fake.

Idempotent: each wish has ``idempotency_key`` ``demo-<n>``; a wish that exists is
skipped whole. Deterministic given the load time (``random.Random`` seeded per wish).
The hourly sweeps act on every wish in the database, so load the demo into a demo
database, not next to real wishes.

Modules: :mod:`.texts` (titles, descriptions, notes, claimers), :mod:`.plans` (where,
what, and each history as steps), :mod:`.replay` (the clock, the actors, the replay).
"""

from .plans import COUNT, KEY_PREFIX, Plan, Step, build_plans
from .replay import DemoClock, WishLoadResult, demo_clock, load_demo_wishes

__all__ = [
    "COUNT", "KEY_PREFIX", "DemoClock", "Plan", "Step", "WishLoadResult", "build_plans", "demo_clock",
    "load_demo_wishes",
]

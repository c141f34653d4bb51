"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) for micro-wishes.

Other systems (a 12345 hotline, a city platform) list our categories as services,
file wishes as service requests and follow their status. Every endpoint answers in
JSON or XML after its format suffix (``services.json``, ``requests/ABC.xml``); errors
are the spec's list, ``[{"code": 404, "description": "..."}]`` or
``<errors><error><code>404</code>...``.

Reading is public and shows no personal data: never the requester's name or phone,
and a phone number or the requester's name typed into a free text is masked.
Filing needs an API key (:mod:`governance.apikeys`); it goes through
:func:`wishes.services.wish_submit` with ``channel="api"`` like every other intake.

Modules: ``common`` (constants, the error), ``render`` (JSON/XML), ``mapping`` (a wish
as a service request), ``params`` (query and form parameters), ``views``, ``urls``.
"""

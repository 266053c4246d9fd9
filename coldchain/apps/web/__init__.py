"""The web page over the order book (issue 23): shippers send and follow their orders, the dispatcher plans.

``coldchain serve SCENARIO [--book PATH]`` serves it with waitress on 127.0.0.1. Everything goes
through the same functions as the command line: `coldchain.apps.orders.Book` (validation,
amend, cancel, tokens), ``day_orders`` and the planner (planning), ``commit_written_plan``
(commit), ``notice_rows`` (pickup notices).

Modules:

* ``app``: `create_app`, the Flask application: configuration, CSRF, security headers, error pages;
* ``auth``: sign-in with a token from ``coldchain tokens add``, roles (shipper, admin), the session;
* ``shipper``: a shipper's pages: upload, their orders, amend, cancel, pickup notices;
* ``dispatch``: the dispatcher's pages: the day's open orders, plan (in the background), map, commit;
* ``planning``: the background planning job and its progress;
* ``cli``: ``coldchain serve`` and ``coldchain tokens add|list|revoke``.

Flask, Flask-WTF and waitress come with ``pip install -e ".[web]"``; this package imports Flask
only when the page is served.
"""

"""Every route of the platform is behind the permission matrix (security.md §B.6–8).

The routes are enumerated from the URL configuration, so a new view that forgets
its gate fails here: an anonymous caller is sent to the login page (or gets 401/
404/405), and a signed-in user without a role — or with the role that has no
business there — never gets a 200.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from jiuzhu.core.permissions import Role
from tests import factories

#: Routes open to everyone by design: signing in and out, and the landing redirect.
PUBLIC = {"accounts:login", "accounts:logout", "home"}
#: Routes any signed-in user may use: changing one's own password.
SELF_SERVICE = {"accounts:password_change"}


def routes(
    patterns: list[URLPattern | URLResolver] | None = None, prefix: str = "", ns: str = ""
) -> Iterator[tuple[str, str]]:
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # Django's admin has its own staff gate; tested in tests/accounts
            yield from routes(
                entry.url_patterns, prefix + str(entry.pattern), entry.namespace or ns
            )
        else:
            yield (f"{ns}:{entry.name}" if ns else str(entry.name)), prefix + str(entry.pattern)


def concrete(route: str, county: factories.County) -> str:
    """Fill every converter with a real object of the fixture (and a revealable field),
    so a 404 can only come from the gate, not from a missing object."""
    household = county.households[0]
    member = household.members.first()
    assert member is not None
    values = {
        "pk": str(household.pk),
        "member_id": str(member.pk),
        "field": "id_number" if "<int:member_id>" in route else "bank_account",
        "name": "dibao_standard",  # a policy parameter
        "case_pk": str(household.pk),  # any id: the gate answers before the lookup
        "kind": "publicnotice",
        "fmt": "pdf",
    }
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], route)


ROUTES = sorted(set(routes()))


def test_the_enumeration_sees_the_app_routes():
    names = {name for name, _ in ROUTES}
    assert {"registry:household_detail", "registry:household_search", "audit:event_list"} <= names


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "route"), [r for r in ROUTES if r[0] not in PUBLIC])
def test_anonymous_callers_get_nothing(client, county, name, route):
    for method in (client.get, client.post):
        response = method(concrete(route, county))
        assert response.status_code in {302, 401, 404, 405}, (name, response.status_code)
        if response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "route"), [r for r in ROUTES if r[0] not in PUBLIC | SELF_SERVICE]
)
def test_a_signed_in_user_without_a_role_gets_404(client, county, name, route):
    nobody = factories.user("norole", "", county.communities[0])
    client.force_login(nobody)
    for method in (client.get, client.post):
        response = method(concrete(route, county))
        assert response.status_code in {404, 405}, (name, response.status_code)


@pytest.mark.django_db
def test_the_system_admin_reads_no_household_and_no_audit_log(client, cast, county):
    """三权分立: the system administrator manages reference data, not cases or the log."""
    client.force_login(cast.admin)
    household = county.households[0]
    assert client.get(f"/households/{household.pk}/").status_code == 404
    assert client.get("/households/").status_code == 404
    assert client.get("/audit/").status_code == 404
    assert cast.admin.role == Role.ADMIN

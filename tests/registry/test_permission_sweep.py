"""Generated jurisdiction sweep over the registry's URLs (security.md §B.6/7).

The routes are enumerated from `jiuzhu.registry.urls.urlpatterns`, not listed
by hand: every route taking an object id must have an entry in `OBJECT_ARGS`
(how to point it at an object of community A1), or `test_every_id_route_is_covered`
fails. Each such route is then requested, with every method, as a user of
another community / street and as a user without a division: the answer must
be 404 (405 for a method the route does not take — it says nothing about the
object), exactly as for an id that does not exist. A positive control checks
that the arguments do reach a real object for a user who may see it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, reverse
from tests import factories

from jiuzhu.audit.models import AuditEvent
from jiuzhu.core import clock
from jiuzhu.core.permissions import PERMISSIONS, Action, Role
from jiuzhu.registry import urls as registry_urls
from jiuzhu.registry.models import Household, ImportBatch, ImportStatus, Relation

pytestmark = pytest.mark.django_db

METHODS = ("get", "post")


@dataclass
class World:
    county: factories.County
    cast: factories.Cast
    target: Household  # a household of community A1, grid A1-1
    batch: ImportBatch  # an import by the township A officer
    foreign_officer: Any  # an assistance officer of township B

    @property
    def head_id(self) -> int:
        return self.target.members.get(relation=Relation.HEAD).pk


#: Route name → (kwargs pointing the route at an object inside community A1, who may see it).
OBJECT_ARGS: dict[str, Callable[[World], tuple[dict[str, Any], Any]]] = {
    "household_detail": lambda w: ({"pk": w.target.pk}, w.cast.community_worker),
    # bank_account: REVEAL for the officer (nobody has REVEAL on the address any more)
    "household_reveal": lambda w: ({"pk": w.target.pk, "field": "bank_account"}, w.cast.officer),
    "member_reveal": lambda w: (
        {"pk": w.target.pk, "member_id": w.head_id, "field": "phone"},
        w.cast.community_worker,
    ),
    "import_status": lambda w: ({"pk": w.batch.pk}, w.cast.officer),
    "api_household_detail": lambda w: ({"pk": w.target.pk}, w.cast.grid_worker),
}


def registry_routes() -> list[URLPattern]:
    return [p for p in registry_urls.urlpatterns if isinstance(p, URLPattern)]


def id_routes() -> list[URLPattern]:
    """Routes with an integer path argument: those address one object."""
    routes = []
    for pattern in registry_routes():
        converters = getattr(pattern.pattern, "converters", {})
        regex = getattr(pattern.pattern, "regex", re.compile(""))
        if converters or regex.groupindex:
            routes.append(pattern)
    return routes


def without_id_routes() -> list[URLPattern]:
    ids = {p.name for p in id_routes()}
    return [p for p in registry_routes() if p.name not in ids]


@pytest.fixture
def world(county, cast) -> World:
    target = county.households_in(county.grids[0])[0]
    batch = ImportBatch.objects.create(
        kind="roster",
        digest="f" * 64,
        file_names="households.csv、members.csv",
        status=ImportStatus.SUCCEEDED,
        created_by=cast.officer,
        jurisdiction_path=cast.officer.division.path,
        created_at=clock.now(),
        report={"rejects": [{"file": "members.csv", "line": 3, "reason": "x", "message": "y"}]},
    )
    foreign_officer = factories.user("officer_b", Role.ASSISTANCE_OFFICER, county.townships[1])
    return World(
        county=county, cast=cast, target=target, batch=batch, foreign_officer=foreign_officer
    )


def call(client: Client, method: str, url: str):
    return getattr(client, method)(url)


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_there_are_id_routes_to_sweep():
    names = {p.name for p in id_routes()}
    assert {"household_detail", "member_reveal", "import_status", "api_household_detail"} <= names


def test_every_id_route_is_covered():
    missing = sorted(p.name or str(p.pattern) for p in id_routes() if p.name not in OBJECT_ARGS)
    assert not missing, f"新的带对象ID的路由没有纳入辖区越权测试（OBJECT_ARGS）：{missing}"


@pytest.mark.parametrize("route", [p.name for p in id_routes()])
def test_id_route_is_404_outside_the_jurisdiction(route, world):
    kwargs, insider = OBJECT_ARGS[route](world)
    url = reverse(f"registry:{route}", kwargs=kwargs)
    missing_kwargs = {k: (v + 10_000_000 if isinstance(v, int) else v) for k, v in kwargs.items()}
    missing_url = reverse(f"registry:{route}", kwargs=missing_kwargs)

    # positive control: the arguments do reach a real object for someone who may see it
    inside = as_user(insider)
    inside_statuses = {m: call(inside, m, url).status_code for m in METHODS}
    assert 200 in inside_statuses.values(), (route, inside_statuses)
    allowed = {m for m, status in inside_statuses.items() if status != 405}

    outsiders = {
        "other_community_worker": world.cast.other_community_worker,
        "foreign_officer": world.foreign_officer,
        "no_division": world.cast.no_division,
    }
    for label, user in outsiders.items():
        client = as_user(user)
        for method in METHODS:
            response = call(client, method, url)
            expected = 404 if method in allowed else 405
            assert response.status_code == expected, (route, label, method, response.status_code)
            # indistinguishable from an id that does not exist
            assert call(client, method, missing_url).status_code == response.status_code
            body = response.content.decode(errors="replace")
            assert world.target.household_no not in body
            assert world.target.address not in body
            assert world.target.bank_account not in body
            for member in world.target.members.all():
                assert member.name not in body
                assert member.id_number not in body
                assert member.phone not in body


@pytest.mark.parametrize("route", [p.name for p in id_routes()])
def test_id_route_for_anonymous_reveals_nothing(route, world, client):
    kwargs, _ = OBJECT_ARGS[route](world)
    url = reverse(f"registry:{route}", kwargs=kwargs)
    for method in METHODS:
        response = call(client, method, url)
        if route.startswith("api_"):
            assert response.status_code == 401
            assert response["Content-Type"].startswith("application/json")
        else:
            assert response.status_code in (302, 403), (route, method)  # login redirect / CSRF
        assert world.target.household_no not in response.content.decode(errors="replace")


@pytest.mark.parametrize("route", [p.name for p in registry_routes()])
def test_every_route_fails_closed_for_a_user_without_role(route, world):
    """A view must consult the permission matrix: a user with no role gets 404 everywhere."""
    kwargs = OBJECT_ARGS[route](world)[0] if route in OBJECT_ARGS else {}
    url = reverse(f"registry:{route}", kwargs=kwargs)
    client = as_user(factories.user("norole", "", world.county.communities[0]))
    statuses = {call(client, m, url).status_code for m in METHODS}
    assert statuses <= {404, 405}, (route, statuses)
    assert 404 in statuses


# ---------------------------------------------------------------- lists, selects, export, API


def foreign_households(world: World) -> list[Household]:
    a1 = world.county.communities[0]
    return [h for h in Household.objects.all() if not h.division_path.startswith(a1.path)]


def assert_no_foreign(world: World, text: str) -> None:
    foreign = foreign_households(world)
    assert foreign
    for hh in foreign:
        assert hh.household_no not in text
        for member in hh.members.all():
            assert member.name not in text
            assert member.id_number not in text


def results_section(html: str) -> str:
    start = html.index('<section id="results"')
    return html[start : html.index("</section>", start)]


def test_search_results_of_a_community_worker_hold_no_foreign_household(world):
    client = as_user(world.cast.community_worker)
    listing = client.get(reverse("registry:household_search")).content.decode()
    assert_no_foreign(world, listing)
    assert world.target.household_no in listing
    for hh in foreign_households(world):
        head = hh.members.get(relation=Relation.HEAD)
        for q in (head.name, head.id_number, hh.household_no, hh.address):
            response = client.post(reverse("registry:household_search"), {"q": q})
            assert response.status_code == 200
            results = results_section(response.content.decode())  # the query box echoes q
            assert "没有找到" in results
            assert_no_foreign(world, results)


def test_community_select_offers_only_the_own_community(world):
    client = as_user(world.cast.community_worker)
    html = client.get(reverse("registry:household_search")).content.decode()
    options = re.findall(r'<option value="(\d*)"[^>]*>([^<]*)</option>', html)
    assert [name for value, name in options if value] == ["A1社区"]
    # a foreign community is an invalid choice, not an empty (or full) result
    foreign = world.county.communities[2]
    response = client.get(reverse("registry:household_search"), {"community": foreign.pk})
    assert_no_foreign(world, response.content.decode())
    api = client.get(reverse("registry:api_household_list"), {"community": foreign.pk})
    assert api.status_code == 400
    assert_no_foreign(world, api.content.decode())


def test_grid_worker_select_offers_the_community_of_the_grid(world):
    html = (
        as_user(world.cast.grid_worker).get(reverse("registry:household_search")).content.decode()
    )
    options = re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', html)
    assert [name for _, name in options] == ["A1社区"]


def api_all(client: Client) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    page = 1
    while True:
        body = client.get(reverse("registry:api_household_list"), {"page": page}).json()
        results.extend(body["results"])
        if page >= body["pages"]:
            return results
        page += 1


def test_api_list_of_a_community_worker_holds_no_foreign_household(world):
    client = as_user(world.cast.community_worker)
    rows = api_all(client)
    expected = world.county.households_in(world.county.communities[0])
    assert sorted(r["household_no"] for r in rows) == sorted(h.household_no for h in expected)
    raw = client.get(reverse("registry:api_household_list")).content.decode()
    assert_no_foreign(world, raw)


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_export_of_a_community_exporter_holds_no_foreign_household(world, monkeypatch):
    """Only officers and approvers may export; granted to community workers here to prove the
    export is scoped to the community, not merely to the street."""
    client = as_user(world.cast.community_worker)
    export_url = reverse("registry:household_export")
    assert client.post(export_url, {"reason": "核查名单导出"}).status_code == 404
    grant = PERMISSIONS[Action.HOUSEHOLD_EXPORT] | {Role.COMMUNITY_WORKER}
    monkeypatch.setitem(PERMISSIONS, Action.HOUSEHOLD_EXPORT, grant)
    response = client.post(export_url, {"reason": "核查名单导出", "q": ""})
    assert response.status_code == 200
    rows = read_csv(response)[2:]
    expected = world.county.households_in(world.county.communities[0])
    assert sorted(r[0] for r in rows) == sorted(h.household_no for h in expected)
    assert_no_foreign(world, response.content.decode("utf-8-sig"))


def test_export_of_a_street_officer_holds_no_other_street(world):
    response = as_user(world.cast.officer).post(
        reverse("registry:household_export"), {"reason": "街道季度核查"}
    )
    numbers = {r[0] for r in read_csv(response)[2:]}
    township_a = world.county.townships[0]
    assert numbers == {h.household_no for h in world.county.households_in(township_a)}


def test_user_without_division_sees_nothing_anywhere(world, monkeypatch):
    nobody = world.cast.no_division
    client = as_user(nobody)
    search = client.get(reverse("registry:household_search"))
    assert search.status_code == 200
    assert "没有找到" in search.content.decode()
    assert "共 0 户" in search.content.decode()
    assert re.findall(r'<option value="(\d+)"', search.content.decode()) == []
    name = world.target.members.get(relation=Relation.HEAD).name
    assert (
        "共 0 户" in client.post(reverse("registry:household_search"), {"q": name}).content.decode()
    )
    api = client.get(reverse("registry:api_household_list")).json()
    assert api["count"] == 0
    assert api["results"] == []
    # export: refused for the role…
    assert (
        client.post(reverse("registry:household_export"), {"reason": "核查名单"}).status_code == 404
    )
    # …and empty even if the role could export
    grant = PERMISSIONS[Action.HOUSEHOLD_EXPORT] | {Role.COMMUNITY_WORKER}
    monkeypatch.setitem(PERMISSIONS, Action.HOUSEHOLD_EXPORT, grant)
    response = client.post(reverse("registry:household_export"), {"reason": "核查名单"})
    assert response.status_code == 200
    assert read_csv(response)[2:] == []
    # the fail-closed scope is logged as a denial
    assert AuditEvent.objects.filter(action="scope.denied", username=nobody.username).exists()
